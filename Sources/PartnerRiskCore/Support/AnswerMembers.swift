import Foundation

/// The members of an answers object in the order its text writes them, each key's UTF-8 bytes
/// kept one after another in one buffer. An answer file's 70-odd answers are read this way rather
/// than into a dictionary: no key becomes a `String` (most ids are longer than a small string
/// holds, so each was an allocation), nothing is hashed, and validation finds each question by
/// walking the survey's sorted ids (`Survey.position(ofKey:cursor:)`), as the keys come in order.
public struct AnswerMembers: Sendable {
    /// The values, in the text's order (a key given twice appears twice).
    public private(set) var values: [JSONValue] = []
    private var keyBytes: [UInt8] = []
    /// Where each key ends in `keyBytes` (it starts where the one before ends).
    private var keyEnds: [Int] = []

    public init() {}

    /// A dictionary's members (in no particular order).
    public init(_ object: [String: JSONValue]) {
        reserveCapacity(object.count)
        for (key, value) in object { append(key: key, value: value) }
    }

    public var count: Int { values.count }

    mutating func reserveCapacity(_ count: Int) {
        values.reserveCapacity(count)
        keyEnds.reserveCapacity(count)
        keyBytes.reserveCapacity(count * 24)
    }

    mutating func append(key: UnsafeBufferPointer<UInt8>, value: JSONValue) {
        keyBytes.append(contentsOf: key)
        keyEnds.append(keyBytes.count)
        values.append(value)
    }

    mutating func append(key: String, value: JSONValue) {
        keyBytes.append(contentsOf: key.utf8)
        keyEnds.append(keyBytes.count)
        values.append(value)
    }

    /// Member `index`'s key bytes handed to `body`.
    public func withKey<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let start = index == 0 ? 0 : keyEnds[index - 1]
        return keyBytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<keyEnds[index]])) }
    }

    /// Member `index`'s key.
    public func key(_ index: Int) -> String { withKey(index) { String(decoding: $0, as: UTF8.self) } }

    /// Whether the last key may follow the one before in canonical text: strictly after it in
    /// UTF-8 byte order (the canonical UTF-16 order for characters below U+E000, which is all its
    /// bytes being below 0xEE). True for the first key.
    func lastKeyIsCanonicallyAfterPrevious() -> Bool {
        let count = keyEnds.count
        guard count >= 1, withKey(count - 1, { $0.allSatisfy { $0 < 0xEE } }) else { return false }
        guard count >= 2 else { return true }
        return withKey(count - 2) { previous in withKey(count - 1) { last in CanonicalJSON.byteOrder(previous, last) < 0 } }
    }

    /// As a dictionary: a key given twice keeps its later value, as a JSON object read into one does.
    public var dictionary: [String: JSONValue] {
        var object = [String: JSONValue](minimumCapacity: count)
        for index in values.indices { object[key(index)] = values[index] }
        return object
    }
}
