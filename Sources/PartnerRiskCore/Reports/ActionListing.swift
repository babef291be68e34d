import Foundation

/// Corrective actions as the officer lists them (`actions list`).
public enum ActionListing {
    public static func listing(_ actions: [CorrectiveAction], today: String) -> Listing {
        func status(_ action: CorrectiveAction) -> String { action.isOpen ? (action.isOverdue(on: today) ? "overdue" : "open") : "closed" }
        return Listing(
            columns: ["id", "partner", "finding", "due", "owner", "status", "note"],
            rows: actions.map { [String($0.id), "\($0.partnerID) \($0.partnerName)", $0.finding, $0.due, $0.owner, status($0), $0.closeNote ?? $0.note] },
            objects: actions.map { action in
                ["id": .number(Double(action.id)), "partner_id": .number(Double(action.partnerID)), "partner": .string(action.partnerName),
                 "finding": .string(action.finding), "due": .string(action.due), "owner": .string(action.owner), "note": .string(action.note),
                 "status": .string(status(action)), "created_by": .string(action.createdBy), "created_at": .string(action.createdAt),
                 "closed_by": .text(action.closedBy), "closed_at": .text(action.closedAt), "close_note": .text(action.closeNote),
                 "close_evidence_sha256": .text(action.closeEvidenceSHA256)]
            })
    }
}
