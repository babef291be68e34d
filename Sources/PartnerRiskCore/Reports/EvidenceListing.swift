import Foundation

/// Evidence files as the officer lists them (`evidence list`).
public enum EvidenceListing {
    public static func listing(_ items: [EvidenceItem]) -> Listing {
        Listing(
            columns: ["id", "partner", "question", "file", "size", "received", "status", "reviewed_by", "reason"],
            rows: items.map { item in
                [String(item.id), "\(item.partnerID) \(item.partnerName)", item.questionID ?? "(unassigned)", item.name,
                 ByteCountFormatter.string(fromByteCount: Int64(item.size), countStyle: .file), String(item.receivedAt.prefix(10)),
                 item.status.rawValue, item.reviewedBy ?? "-", item.reason]
            },
            objects: items.map { item in
                ["id": .number(Double(item.id)), "partner_id": .number(Double(item.partnerID)), "partner": .string(item.partnerName),
                 "question_id": .text(item.questionID), "name": .string(item.name), "content_type": .string(item.contentType),
                 "size": .number(Double(item.size)), "sha256": .string(item.sha256), "channel": .string(item.channel),
                 "received_at": .string(item.receivedAt), "status": .string(item.status.rawValue), "reason": .string(item.reason),
                 "reviewed_by": .text(item.reviewedBy), "reviewed_at": .text(item.reviewedAt)]
            })
    }
}
