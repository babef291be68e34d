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
