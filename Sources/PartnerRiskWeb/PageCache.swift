import Foundation
import NIOCore
import PartnerRiskCore
import Synchronization

/// Pages already made, served again while what they show is unchanged. A page is a pure function
/// of its inputs (templates and words are fixed at start-up), so an entry is reused only when the
/// inputs asked with are equal to the ones it was made from, and nothing has to be told to forget
/// it. Rendering through swift-mustache costs a few microseconds a value (its look-ups cast each
/// value to several protocols), which made a 200-question form 15–20 ms and a ranking page of 50
/// rows 5 ms; a kept page costs a copy. At most `capacity` pages are kept, the oldest made go first.
public final class PageCache<Key: Hashable & Sendable, Inputs: Equatable & Sendable>: Sendable {
    struct Entry: Sendable {
        var inputs: Inputs
        var text: String
        /// Where in `text` (UTF-8 offsets) the CSRF token goes, for pages made with a marker.
        var csrfOffsets: [Int]
    }

    private let entries = Mutex<(byKey: [Key: Entry], order: [Key])>(([:], []))
    public let capacity: Int

    public init(capacity: Int) {
        self.capacity = capacity
    }

    /// The page for `key`: the kept one when `inputs` are those it was made from, otherwise
    /// `make()`'s, kept.
    func page(_ key: Key, _ inputs: Inputs, make: () throws -> String) rethrows -> String {
        if let entry = kept(key, inputs) { return entry.text }
        let text = try make()
        keep(Entry(inputs: inputs, text: text, csrfOffsets: []), for: key)
        return text
    }

    /// The page for `key` with `csrf` in it. Only the CSRF token differs between two visits of one
    /// page: it is made once by `make(marker)` with a random marker of the token's length wherever
    /// the token goes, and each visit writes its own token over the marker's places.
    func page(_ key: Key, _ inputs: Inputs, csrf: String, make: (String) throws -> String) rethrows -> ByteBuffer {
        guard csrf.utf8.count == RandomSecret.length else { return ByteBuffer(string: try make(csrf)) }
        let entry: Entry
        if let hit = kept(key, inputs) {
            entry = hit
        } else {
            let marker = RandomSecret.make()
            let text = try make(marker)
            entry = Entry(inputs: inputs, text: text, csrfOffsets: Self.offsets(of: marker, in: text))
            keep(entry, for: key)
        }
        var page = ByteBuffer(string: entry.text)
        for offset in entry.csrfOffsets { page.setString(csrf, at: offset) }
        return page
    }

    /// How many pages are kept now.
    var count: Int { entries.withLock { $0.byKey.count } }

    private func kept(_ key: Key, _ inputs: Inputs) -> Entry? {
        entries.withLock { $0.byKey[key] }.flatMap { $0.inputs == inputs ? $0 : nil }
    }

    private func keep(_ entry: Entry, for key: Key) {
        entries.withLock { kept in
            if kept.byKey.updateValue(entry, forKey: key) == nil { kept.order.append(key) }
            while kept.order.count > capacity { kept.byKey[kept.order.removeFirst()] = nil }
        }
    }

    /// The UTF-8 offsets at which `marker` occurs in `text` (not overlapping).
    static func offsets(of marker: String, in text: String) -> [Int] {
        text.ranges(of: marker).map { text.utf8.distance(from: text.startIndex, to: $0.lowerBound) }
    }
}

/// Which form page: one link (token), in one language, with or without the "saved" notice.
struct FormPageKey: Hashable, Sendable {
    var token: String
    var language: Language
    var saved: Bool
}

/// What a form page is made from besides its key: the invitation (partner and campaign as they
/// are now) and the form's draft, current revision and evidence.
struct FormPageInputs: Equatable, Sendable {
    var invitation: InvitationContext
    var state: WebFormState
}
