import Foundation
import Testing
@testable import PartnerRiskCore

/// The settings file read as every command reads it: a problem is named by file, line and column.
@Suite struct ConfigFileTests {
    func load(_ text: String) throws -> (path: String, result: Result<AppConfig, Error>) {
        let directory = TemporaryDirectory()
        let path = directory.url.appendingPathComponent("partner-risk.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return (path, Result { try AppConfig.load(explicitPath: path, databasePath: directory.url.appendingPathComponent("db.sqlite").path) })
    }

    func message(_ result: Result<AppConfig, Error>) -> String? {
        guard case .failure(let error as PartnerRiskError) = result else { return nil }
        return error.message
    }

    @Test func aValueOfTheWrongKindIsNamedAtItsLineWithItsKeys() throws {
        let (path, result) = try load("officer:\n  name: Jeanne\nmail:\n  transport: smtp\n  max_per_minute: lots\n")
        let text = try #require(message(result))
        #expect(text.hasPrefix("\(path):5:19: `mail.max_per_minute`: expected a number, not `lots`"), "\(text)")
    }

    @Test func aSyntaxErrorIsNamedAtItsPosition() throws {
        let (path, result) = try load("mail:\n  transport: smtp\n smtp: \"smtp://x\n")
        let text = try #require(message(result))
        #expect(text.hasPrefix("\(path):"), "\(text)")
        let line = Int(text.dropFirst(path.count + 1).prefix { $0.isNumber }) ?? 0
        #expect((2...4).contains(line), "\(text)")
        #expect(text.contains("YAML syntax error"))
    }

    @Test func aGoodFileLoads() throws {
        let (_, result) = try load("mail:\n  transport: drop\n  max_per_minute: 30\n")
        #expect(try result.get().mail?.maxPerMinute == 30)
    }
}
