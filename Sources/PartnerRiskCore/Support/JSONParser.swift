import Foundation

/// A strict, fast JSON reader into `JSONValue` (RFC 8259): used for answer files and stored
/// answers, where Foundation's decoder was the slowest step of an import. Nesting is limited, so
/// a hostile file cannot exhaust the stack; anything malformed gives nil.
public struct JSONParser {
    public static let maxDepth = 128

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    /// While an answer file's `answers` member is read: whether its text is canonical so far (keys
    /// strictly in `CanonicalJSON` order, no escape but the canonical ones, integers only).
    private var capturing = false
    private var canonical = true

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    public static func parse(_ data: Data) -> JSONValue? {
        data.withUnsafeBytes { raw in
            var parser = JSONParser(raw.bindMemory(to: UInt8.self))
            return parser.document()
        }
    }

    /// An answer file read for checking: its top-level members, the `answers` object apart.
    public struct AnswerFile {
        /// Every top-level member but an `answers` object.
        public var object: [String: JSONValue] = [:]
        /// The `answers` object's members in the file's order; nil when there is no such object.
        public var answers: AnswerMembers?
        /// The `answers` text as canonical JSON (`CanonicalJSON`), when the file already writes it
        /// that way but for white space: the text with the white space between tokens removed, so a
        /// checksum can be verified on it without writing the canonical form again. Nil otherwise.
        public var compacted: [UInt8]?
    }

    /// Parses an answer file (a JSON object); nil when it is not one well-formed object.
    public static func parseAnswerFile(_ data: Data) -> AnswerFile? {
        data.withUnsafeBytes { raw in
            var parser = JSONParser(raw.bindMemory(to: UInt8.self))
            return parser.answerFile()
        }
    }

    private mutating func answerFile() -> AnswerFile? {
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        var file = AnswerFile()
        let wellFormed = members(readKey: { $0.string() }) { parser, key in
            parser.skipSpace()
            guard key == "answers", parser.index < parser.bytes.count, parser.bytes[parser.index] == UInt8(ascii: "{") else {
                guard let value = parser.value(depth: 1) else { return false }
                if key == "answers" { (file.answers, file.compacted) = (nil, nil) }  // the later member counts
                file.object[key] = value
                return true
            }
            let start = parser.index
            guard let answers = parser.answerMembers() else { return false }
            file.object[key] = nil
            file.answers = answers
            file.compacted = parser.canonical ? parser.compacted(start..<parser.index) : nil
            return true
        }
        guard wellFormed else { return nil }
        skipSpace()
        return index == bytes.count ? file : nil
    }

    /// The answers object from its opening brace, its keys kept as bytes (see `AnswerMembers`),
    /// noting whether it is written canonically.
    private mutating func answerMembers() -> AnswerMembers? {
        var answers = AnswerMembers()
        answers.reserveCapacity(96)
        (capturing, canonical) = (true, true)
        defer { capturing = false }
        let wellFormed = members(readKey: { $0.rawKey() }) { parser, key in
            guard let value = parser.value(depth: 2) else { return false }
            switch key {
            case .plain(let range): answers.append(key: UnsafeBufferPointer(rebasing: parser.bytes[range]), value: value)
            case .decoded(let text): answers.append(key: text, value: value)
            }
            if parser.canonical && !answers.lastKeyIsCanonicallyAfterPrevious() { parser.canonical = false }
            return true
        }
        return wellFormed ? answers : nil
    }

    /// The bytes of `range` without the white space outside strings (the text is well-formed JSON),
    /// written into a buffer of the range's size through pointers (appending byte by byte checked
    /// the capacity each time, and a loop over the range went through `Strideable` generically).
    private func compacted(_ range: Range<Int>) -> [UInt8] {
        guard let base = bytes.baseAddress, !range.isEmpty else { return [] }
        return [UInt8](unsafeUninitializedCapacity: range.count) { output, count in
            let target = output.baseAddress!  // a non-empty buffer has a base address
            var written = 0
            var inString = false, escaped = false
            var position = range.lowerBound
            while position < range.upperBound {
                let byte = base[position]
                position += 1
                if inString {
                    if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                } else if byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
                    continue
                } else if byte == UInt8(ascii: "\"") {
                    inString = true
                }
                target[written] = byte
                written += 1
            }
            count = written
        }
    }

    public static func parse(_ text: String) -> JSONValue? {
        var text = text
        return text.withUTF8 { buffer in
            var parser = JSONParser(buffer)
            return parser.document()
        }
    }

    /// A top-level object straight into a dictionary of `transform`ed values (one dictionary
    /// built instead of two: stored answers are read this way 100,000 times in a rescore).
    public static func parseObject<T>(_ text: String, capacity: Int = 96, _ transform: (JSONValue) -> T) -> [String: T]? {
        var text = text
        return text.withUTF8 { buffer in
            var parser = JSONParser(buffer)
            return parser.objectDocument(capacity: capacity, transform)
        }
    }

    /// A top-level object's members handed to `add` with each key's UTF-8 bytes: a plain ASCII
    /// key is handed straight from the text, with no String made. False when the text is not
    /// one well-formed object.
    public static func parseObjectMembers(_ text: String, _ add: (UnsafeBufferPointer<UInt8>, JSONValue) -> Void) -> Bool {
        var text = text
        return text.withUTF8 { buffer in
            var parser = JSONParser(buffer)
            parser.skipSpace()
            guard parser.index < buffer.count, buffer[parser.index] == UInt8(ascii: "{") else { return false }
            let wellFormed = parser.members(readKey: { $0.rawKey() }) { parser, key in
                guard let value = parser.value(depth: 1) else { return false }
                switch key {
                case .plain(let range): add(UnsafeBufferPointer(rebasing: buffer[range]), value)
                case .decoded(var text): text.withUTF8 { add($0, value) }
                }
                return true
            }
            guard wellFormed else { return false }
            parser.skipSpace()
            return parser.index == buffer.count
        }
    }

    /// A member's key as read by `rawKey`.
    private enum RawKey {
        case plain(Range<Int>)
        case decoded(String)
    }

    /// A key starting at the opening quote: its place in the text when it is plain ASCII without
    /// escapes, else the decoded string.
    private mutating func rawKey() -> RawKey? {
        var end = index + 1
        while end < bytes.count {
            let byte = bytes[end]
            if byte == UInt8(ascii: "\"") {
                let range = (index + 1)..<end
                index = end + 1
                return .plain(range)
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { break }
            end += 1
        }
        return string().map(RawKey.decoded)
    }

    private mutating func objectDocument<T>(capacity: Int, _ transform: (JSONValue) -> T) -> [String: T]? {
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        var object: [String: T] = [:]
        object.reserveCapacity(capacity)
        guard members(depth: 0, { object[$0] = transform($1) }) else { return nil }
        skipSpace()
        return index == bytes.count ? object : nil
    }

    private mutating func document() -> JSONValue? {
        guard let value = value(depth: 0) else { return nil }
        skipSpace()
        return index == bytes.count ? value : nil
    }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func value(depth: Int) -> JSONValue? {
        guard depth < Self.maxDepth else { return nil }
        skipSpace()
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "{"): return object(depth: depth)
        case UInt8(ascii: "["): return array(depth: depth)
        case UInt8(ascii: "\""): return string().map(JSONValue.string)
        case UInt8(ascii: "t"): return literal("true", .bool(true))
        case UInt8(ascii: "f"): return literal("false", .bool(false))
        case UInt8(ascii: "n"): return literal("null", .null)
        default: return number()
        }
    }

    private mutating func literal(_ word: StaticString, _ value: JSONValue) -> JSONValue? {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return nil }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return nil }
        index += count
        return value
    }

    /// Members are collected first and the dictionary made at its final size: growing it one
    /// member at a time rehashed an answers object seven times.
    private mutating func object(depth: Int) -> JSONValue? {
        var members: [(String, JSONValue)] = []
        guard self.members(depth: depth, { members.append(($0, $1)) }) else { return nil }
        var object = [String: JSONValue](minimumCapacity: members.count)
        for (key, value) in members { object[key] = value }
        return .object(object)
    }

    /// Reads `{ "key": value, ... }` from the opening brace, handing each member to `add`;
    /// false when malformed.
    private mutating func members(depth: Int, _ add: (String, JSONValue) -> Void) -> Bool {
        var previousKey: String?
        return members(readKey: { $0.string() }) { parser, key in
            if parser.capturing { parser.noteKeyOrder(key, after: &previousKey) }
            guard let value = parser.value(depth: depth + 1) else { return false }
            add(key, value)
            return true
        }
    }

    /// Reads `{ "key": value, ... }` from the opening brace: each key with `readKey`, then its
    /// value with `readValue` (which keeps it; false when malformed). False when malformed.
    private mutating func members<Key>(readKey: (inout JSONParser) -> Key?, readValue: (inout JSONParser, Key) -> Bool) -> Bool {
        index += 1
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return true }
        while true {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let key = readKey(&self) else { return false }
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
            index += 1
            guard readValue(&self, key) else { return false }
            skipSpace()
            guard index < bytes.count else { return false }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            guard bytes[index] == UInt8(ascii: "}") else { return false }
            index += 1
            return true
        }
    }

    /// Inside the answers member, keys must rise strictly in UTF-8 order (which is the canonical
    /// UTF-16 order below U+E000) for its text to be canonical.
    private mutating func noteKeyOrder(_ key: String, after previous: inout String?) {
        guard key.utf8.allSatisfy({ $0 < 0xEE }) else { canonical = false; return }
        if let previous, !CanonicalJSON.utf8Precedes(previous, key) { canonical = false }
        previous = key
    }

    private mutating func array(depth: Int) -> JSONValue? {
        index += 1
        var items: [JSONValue] = []
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
        while true {
            guard let item = value(depth: depth + 1) else { return nil }
            items.append(item)
            skipSpace()
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            guard bytes[index] == UInt8(ascii: "]") else { return nil }
            index += 1
            return .array(items)
        }
    }

    /// A string starting at the opening quote; validates UTF-8 and escapes.
    private mutating func string() -> String? {
        index += 1
        let start = index
        // Fast path: no escapes; plain ASCII needs no UTF-8 validation.
        var union: UInt8 = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                return union < 0x80 ? String(decoding: slice, as: UTF8.self) : String(validating: slice, as: UTF8.self)
            }
            union |= byte
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { return nil }
            index += 1
        }
        guard index < bytes.count else { return nil }
        var output = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return String(validating: output, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { return nil }
                let escape = bytes[index]
                index += 1
                // `\/` and `\u` escapes are not how the canonical text writes a character.
                if capturing, escape == UInt8(ascii: "/") || escape == UInt8(ascii: "u") { canonical = false }
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(escape)
                case UInt8(ascii: "b"): output.append(0x08)
                case UInt8(ascii: "f"): output.append(0x0C)
                case UInt8(ascii: "n"): output.append(0x0A)
                case UInt8(ascii: "r"): output.append(0x0D)
                case UInt8(ascii: "t"): output.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = unicodeEscape() else { return nil }
                    output.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: return nil
                }
            default:
                if byte < 0x20 { return nil }
                output.append(byte)
            }
        }
        return nil
    }

    private mutating func hex4() -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            index += 1
            let digit: UInt32
            switch byte {
            case 48...57: digit = UInt32(byte - 48)
            case 65...70: digit = UInt32(byte - 55)
            case 97...102: digit = UInt32(byte - 87)
            default: return nil
            }
            value = value << 4 | digit
        }
        return value
    }

    private mutating func unicodeEscape() -> Unicode.Scalar? {
        guard let high = hex4() else { return nil }
        if (0xD800..<0xDC00).contains(high) {
            guard index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else { return nil }
            index += 2
            guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        }
        if (0xDC00..<0xE000).contains(high) { return nil }
        return Unicode.Scalar(high)
    }

    private mutating func number() -> JSONValue? {
        let start = index
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, (48...57).contains(bytes[index]) else { return nil }
        if bytes[index] == 48 { index += 1 } else { while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 } }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, (48...57).contains(bytes[index]) else { return nil }
            while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, (48...57).contains(bytes[index]) else { return nil }
            while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let number = Double(text), number.isFinite else { return nil }
        // The canonical text writes integers below 10^15 as digits only; anything else is compared the slow way.
        if capturing, index - start > 15 || text == "-0" || text.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") }) {
            canonical = false
        }
        return .number(number)
    }
}
