import Crypto
import Foundation
import Testing
@testable import PartnerRiskCore

@Suite struct CanonicalJSONTests {
    /// Keys come out in UTF-8 byte order, whatever their shared prefixes and lengths (the sort
    /// compares eight-byte prefixes first), and values stay with their keys.
    @Test func keysAreInByteOrderWithTheirValues() {
        var generator = SeededGenerator(state: 5)
        let alphabet = Array("AB_ab0é\u{1}".unicodeScalars)
        for _ in 0..<200 {
            var object: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...40, using: &generator) {
                let length = Int.random(in: 0...12, using: &generator)
                var key = "F1_seal"
                if Bool.random(using: &generator) { key = "" }
                for _ in 0..<length { key.unicodeScalars.append(alphabet.randomElement(using: &generator)!) }
                object[key] = .string(key)
            }
            let members = CanonicalJSON.sortedMembers(object)
            let expected = object.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            #expect(members.map(\.key) == expected)
            #expect(members.allSatisfy { $0.value == .string($0.key) })
        }
    }

    @Test func textIsCompactWithSortedKeysAtEveryLevel() {
        let value: JSONValue = .object(["b": .array([.null, .bool(true), .number(2), .number(2.5)]), "a": .object(["z": "x\"y", "y": .bool(false)])])
        #expect(CanonicalJSON.text(value) == #"{"a":{"y":false,"z":"x\"y"},"b":[null,true,2,2.5]}"#)
    }
}

/// An answer file's own answers text stands for the canonical text only when it is that text but
/// for white space: any other spelling (keys out of order or repeated, `\u` or `\/` escapes,
/// fractions) falls back to writing the canonical text from the parsed answers.
@Suite struct CompactedMemberTests {
    /// `value` written with line breaks and indentation, keys in canonical order or in the
    /// dictionary's own order, and (when `escapeAll`) every non-ASCII character as a `\u` escape.
    static func pretty(_ value: JSONValue, sorted: Bool, escapeAll: Bool, indent: String = "") -> String {
        let inner = indent + "  "
        switch value {
        case .object(let object):
            let members = sorted ? CanonicalJSON.sortedMembers(object) : object.map { ($0.key, $0.value) }
            guard !members.isEmpty else { return "{}" }
            return "{\n" + members.map { inner + string($0.0, escapeAll) + " : " + pretty($0.1, sorted: sorted, escapeAll: escapeAll, indent: inner) }
                .joined(separator: ",\n") + "\n" + indent + "}"
        case .array(let items):
            return "[ " + items.map { pretty($0, sorted: sorted, escapeAll: escapeAll, indent: inner) }.joined(separator: ", ") + " ]"
        case .string(let text): return string(text, escapeAll)
        default: return CanonicalJSON.text(value)
        }
    }

    static func string(_ text: String, _ escapeAll: Bool) -> String {
        let canonical = CanonicalJSON.text(.string(text))
        guard escapeAll else { return canonical }
        return canonical.unicodeScalars.map { $0.value < 0x80 ? String($0) : String(format: "\\u%04x", $0.value) }.joined()
    }

    static func randomValue(_ generator: inout SeededGenerator, depth: Int = 0) -> JSONValue {
        let words = ["yes", "no", "n/a", "line\nbreak", "say \"hi\"", "back\\slash", "a/b", "été", "tab\tx", "", "\u{1}"]
        switch Int.random(in: 0...(depth > 1 ? 3 : 5), using: &generator) {
        case 0: return .string(words.randomElement(using: &generator)!)
        case 1: return .number(Double(Int.random(in: -5_000...5_000, using: &generator)))
        case 2: return Bool.random(using: &generator) ? .number(Double(Int.random(in: 0...99, using: &generator)) + 0.25) : .bool(true)
        case 3: return .null
        case 4: return .array((0..<Int.random(in: 0...3, using: &generator)).map { _ in randomValue(&generator, depth: depth + 1) })
        default:
            var object: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &generator) { object[["na", "A1", "A1_x", "b", "é", "Z"].randomElement(using: &generator)!] = randomValue(&generator, depth: depth + 1) }
            return .object(object)
        }
    }

    @Test func theCompactedTextIsEitherTheCanonicalTextOrNothing() throws {
        var generator = SeededGenerator(state: 17)
        var taken = 0
        for round in 0..<400 {
            var answers: [String: JSONValue] = [:]
            for index in 0..<Int.random(in: 0...12, using: &generator) { answers["Q\(index)_\(round % 7)"] = Self.randomValue(&generator) }
            let sorted = round % 3 != 0, escapeAll = round % 5 == 0
            let text = "{\n  \"format\" : \"x\",\n  \"answers\" : " + Self.pretty(.object(answers), sorted: sorted, escapeAll: escapeAll, indent: "  ") + "\n}\n"
            let parsed = try #require(JSONParser.parseAnswerFile(Data(text.utf8)))
            let members = try #require(parsed.answers)
            #expect(members.dictionary == answers && parsed.object == ["format": .string("x")])
            let canonical = CanonicalJSON.bytes(.object(answers))
            if let member = parsed.compacted {
                #expect(member == canonical, "\(text)")
                taken += 1
            }
            let declared = "sha256:" + CanonicalJSON.hex(SHA256.hash(data: canonical))
            let chosen = ResponseIngest.canonicalAnswers(members, compacted: parsed.compacted, declared: declared)
            #expect(chosen.text == canonical && "sha256:" + chosen.sha256 == declared)
        }
        #expect(taken > 100)  // the fast path is taken for files written the way the form writes them
    }

    @Test func repeatedKeysOrEscapesAreNotTakenAsCanonical() throws {
        for text in [#"{"answers": {"a": 1, "a": 2}}"#, #"{"answers": {"b": 1, "a": 2}}"#, #"{"answers": {"a": "\u0041"}}"#,
                     #"{"answers": {"a": "x\/y"}}"#, #"{"answers": {"a": 1.5}}"#, #"{"answers": {"a": 1e3}}"#, #"{"answers": {"a": -0}}"#] {
            let parsed = try #require(JSONParser.parseAnswerFile(Data(text.utf8)))
            #expect(parsed.compacted == nil, "\(text)")
        }
        let plain = try #require(JSONParser.parseAnswerFile(Data(#"{"answers" : { "a" : [ 1, "x y" ], "b" : {"na": "n/a"} }, "z": 1}"#.utf8)))
        #expect(plain.compacted.map { String(decoding: $0, as: UTF8.self) } == #"{"a":[1,"x y"],"b":{"na":"n/a"}}"#)
        #expect(plain.object == ["z": .number(1)] && plain.answers?.count == 2 && plain.answers?.key(1) == "b")
    }

    /// The answers object is read member by member, in the file's order, keys as bytes: escaped
    /// keys are decoded, a key given twice is kept twice (the later counts, as in a dictionary), an
    /// `answers` that is not an object is no answers object, and the later `answers` member counts.
    @Test func answerFilesKeepTheirAnswersInOrderWithKeysDecoded() throws {
        let file = try #require(JSONParser.parseAnswerFile(Data(#"{"answers": {"b\u00e9": 1, "a": "x", "a": "y"}, "token": "t"}"#.utf8)))
        let answers = try #require(file.answers)
        #expect(answers.count == 3 && answers.key(0) == "bé" && answers.key(2) == "a")
        #expect(answers.dictionary == ["bé": .number(1), "a": .string("y")])
        #expect(file.object == ["token": .string("t")] && file.compacted == nil)
        #expect(try #require(JSONParser.parseAnswerFile(Data(#"{"answers": [1]}"#.utf8))).answers == nil)
        let later = try #require(JSONParser.parseAnswerFile(Data(#"{"answers": {"a": 1}, "answers": 2}"#.utf8)))
        #expect(later.answers == nil && later.object["answers"] == .number(2))
        let again = try #require(JSONParser.parseAnswerFile(Data(#"{"answers": 2, "answers": {"a": 1}}"#.utf8)))
        #expect(again.answers?.dictionary == ["a": .number(1)] && again.object["answers"] == nil)
        for broken in [#"{"answers": {"a": 1}"#, #"{"answers": {"a" 1}}"#, #"[{"answers": {}}]"#, #"{"answers": {}} x"#, ""] {
            #expect(JSONParser.parseAnswerFile(Data(broken.utf8)) == nil, "\(broken)")
        }
    }
}

@Suite struct FileBytesTests {
    @Test func readsWholeFilesAndNamesThePathItCannotRead() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("filebytes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for size in [0, 1, 4095, 4096, 70_000] {
            let bytes = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            let file = directory.appendingPathComponent("f\(size)")
            try bytes.write(to: file)
            #expect(try FileBytes.contents(of: file.path) == bytes)
        }
        let missing = directory.appendingPathComponent("missing.json").path
        #expect(throws: PartnerRiskError.self) { try FileBytes.contents(of: missing) }
        do { _ = try FileBytes.contents(of: missing) } catch { #expect("\(error)".contains(missing) && "\(error)".contains("No such file")) }
        #expect(throws: PartnerRiskError.self) { try FileBytes.contents(of: directory.path) }
    }
}

@Suite struct FolderWalkTests {
    /// Every entry named `*.json` or `*.eml` (any case) under a folder, sorted, whatever its type:
    /// files in subfolders, a folder named `*.eml` (listed, and looked into), a link to nothing;
    /// a link to a folder is not followed, and a name that only starts with a dot has no extension.
    @Test func listsAnswerFilesUnderAFolderAsTheEnumeratorDid() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("walk-\(UUID().uuidString)")
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("walk-outside-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root); try? FileManager.default.removeItem(at: outside) }
        for folder in [root, root.appendingPathComponent("b/c"), root.appendingPathComponent("odd.eml"), outside] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        for name in ["a.json", "b/c/d.JSON", "b/reply.eml", "odd.eml/inner.json", "notes.txt", ".json", "b/.hidden.json", "e.json.bak"] {
            try Data("{}".utf8).write(to: root.appendingPathComponent(name))
        }
        try Data("{}".utf8).write(to: outside.appendingPathComponent("far.json"))
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("gone.json").path, withDestinationPath: "/nonexistent/x")
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("linked").path, withDestinationPath: outside.path)
        let listed = FolderWalk.paths(under: root.path, extensions: ["json", "eml"]).map { String($0.dropFirst(root.path.count + 1)) }
        #expect(listed == ["a.json", "b/.hidden.json", "b/c/d.JSON", "b/reply.eml", "gone.json", "odd.eml", "odd.eml/inner.json"])
        #expect(FolderWalk.paths(under: root.appendingPathComponent("missing").path, extensions: ["json"]).isEmpty)
    }
}
