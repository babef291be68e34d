import Foundation

/// Screening hits as the officer lists them (`screening hits`).
public enum ScreeningListing {
    public static func listing(_ hits: [ScreeningHit]) -> Listing {
        Listing(
            columns: ["id", "partner", "list", "entry", "matched_name", "score", "status", "decided_by", "note"],
            rows: hits.map { hit in
                [String(hit.id), "\(hit.partnerID) \(hit.partnerName)", hit.list, "\(hit.entryKey) \(hit.entryName)", hit.matchedName,
                 String(format: "%.2f", hit.score), hit.status.rawValue, hit.decidedBy ?? "-", hit.note]
            },
            objects: hits.map { hit in
                ["id": .number(Double(hit.id)), "partner_id": .number(Double(hit.partnerID)), "partner": .string(hit.partnerName),
                 "list": .string(hit.list), "entry": .string(hit.entryKey), "entry_name": .string(hit.entryName), "program": .string(hit.program),
                 "screened_name": .string(hit.screenedName), "screened_as": .string(hit.screenedAs), "matched_name": .string(hit.matchedName),
                 "score": .number((hit.score * 1000).rounded() / 1000), "status": .string(hit.status.rawValue), "found_at": .string(hit.foundAt),
                 "decided_by": .text(hit.decidedBy), "decided_at": .text(hit.decidedAt), "note": .string(hit.note)]
            })
    }
}
