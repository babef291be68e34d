import Foundation

/// Listings for `responses list` and `responses rejected`.
public enum ResponseListing {
    public static func make(_ responses: [ResponseSummary]) -> Listing {
        Listing(
            columns: ["id", "campaign", "partner", "revision", "current", "channel", "complete", "missing", "saved_at", "received_at"],
            rows: responses.map {
                [String($0.id), String($0.campaignID), "\($0.partnerID) \($0.partnerName)", String($0.revision), $0.current ? "yes" : "history",
                 $0.channel, $0.complete ? "yes" : "no", $0.missing.isEmpty ? "" : "\($0.missing.count): \($0.missing.joined(separator: " "))",
                 $0.savedAt, $0.receivedAt]
            },
            objects: responses.map {
                ["id": .number(Double($0.id)), "campaign_id": .number(Double($0.campaignID)), "invitation_id": .number(Double($0.invitationID)), "partner_id": .number(Double($0.partnerID)),
                 "partner": .string($0.partnerName), "revision": .number(Double($0.revision)), "channel": .string($0.channel),
                 "source": .text($0.source), "complete": .bool($0.complete), "missing": .array($0.missing.map(JSONValue.string)),
                 "current": .bool($0.current), "saved_at": .string($0.savedAt), "received_at": .string($0.receivedAt)]
            })
    }

    public static func rejected(_ inputs: [RejectedInput]) -> Listing {
        Listing(
            columns: ["id", "received_at", "channel", "source", "reason", "quarantined_as"],
            rows: inputs.map { [String($0.id), $0.receivedAt, $0.channel, $0.source, $0.reason, $0.quarantinePath ?? ""] },
            objects: inputs.map {
                ["id": .number(Double($0.id)), "received_at": .string($0.receivedAt), "channel": .string($0.channel),
                 "source": .string($0.source), "reason": .string($0.reason), "quarantine_path": .text($0.quarantinePath)]
            })
    }
}
