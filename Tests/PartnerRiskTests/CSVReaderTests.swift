import Foundation
import Testing
@testable import PartnerRiskCore

@Suite struct CSVReaderTests {
    private func read(_ text: String) throws -> [CSVRecord] {
        try CSVReader(data: Data(text.utf8)).records()
    }

    @Test func plainRowsKeepTheirLineNumbers() throws {
        let records = try read("a,b\n1,2\n3,4\n")
        #expect(records == [CSVRecord(line: 1, fields: ["a", "b"]), CSVRecord(line: 2, fields: ["1", "2"]), CSVRecord(line: 3, fields: ["3", "4"])])
    }

    @Test func byteOrderMarkAndCRLFAreAccepted() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("name,email\r\nÉmilie,e@x.ca\r\n".utf8)
        let records = try CSVReader(data: Data(bytes)).records()
        #expect(records.map(\.fields) == [["name", "email"], ["Émilie", "e@x.ca"]])
    }

    @Test func quotedFieldsHoldCommasQuotesAndNewlines() throws {
        let records = try read("name,contact\n\"Lavoie, Roy & Associés\",\"Line one\nline \"\"two\"\"\"\nnext,row\n")
        #expect(records[1].fields == ["Lavoie, Roy & Associés", "Line one\nline \"two\""])
        #expect(records[1].line == 2)
        #expect(records[2].line == 4)
    }

    @Test func blankLinesAreSkippedAndMissingFinalNewlineIsFine() throws {
        let records = try read("a\n\n1\n\n2")
        #expect(records.map(\.line) == [1, 3, 5])
    }

    @Test func unterminatedQuoteNamesTheLineWhereTheRecordStarts() {
        #expect(throws: CSVReader.Failure(line: 2, reason: "a quoted field is never closed (missing \")")) {
            try read("a,b\n\"open,1\n2,3\n")
        }
    }

    @Test func binaryAndNonUTF8AreRefused() {
        #expect(throws: CSVReader.Failure.self) { try CSVReader(data: Data([0x50, 0x4B, 0x03, 0x04, 0x00, 0x00])) }
        #expect(throws: CSVReader.Failure.self) { try CSVReader(data: Data([0x61, 0xE9, 0x0A])) }
    }

    @Test func writerQuotesOnlyWhenNeeded() {
        #expect(CSVWriter.row(["plain", "a,b", "say \"hi\"", "two\nlines"]) == "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"")
    }

    @Test func aCRLFFieldIsQuotedAndFormulaCellsAreDefused() {
        // "\r\n" is one Character in Swift: the writer looks at Unicode scalars.
        #expect(CSVWriter.escape("Unit 4\r\nPort Road") == "\"Unit 4\r\nPort Road\"")
        #expect(CSVWriter.escape("=HYPERLINK(\"http://evil.example\",\"x\")") == "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"")
        #expect(CSVWriter.escape("+1 cmd") == "'+1 cmd")
        #expect(CSVWriter.escape("@SUM(A1)") == "'@SUM(A1)")
        #expect(CSVWriter.escape("-2+3") == "'-2+3")
        #expect(CSVWriter.escape("\tcmd") == "'\tcmd")
        // Plain numbers stay numbers.
        #expect(CSVWriter.escape("-3.5") == "-3.5" && CSVWriter.escape("42") == "42")
    }
}

/// Untrusted text on the officer's terminal.
@Suite struct TerminalTextTests {
    @Test func controlCharactersAndBidiOverridesAreShownAsEscapes() {
        #expect(TerminalText.escaped("Acme\u{1B}[2J\u{1B}[31mTRUSTED") == "Acme\\x1B[2J\\x1B[31mTRUSTED")
        #expect(TerminalText.escaped("a\u{9B}b\u{7F}c\u{0}") == "a\\x9Bb\\x7Fc\\x00")
        #expect(TerminalText.escaped("invoice\u{202E}fdp.exe") == "invoice\\u{202E}fdp.exe")
        #expect(TerminalText.escaped("Transports Bélanger & Fils") == "Transports Bélanger & Fils")
        #expect(TerminalText.escapedLines("one\ntwo\u{7}") == "one\ntwo\\x07")
    }

    @Test func aPartnerNameWithAnEscapeSequenceCannotForgeTheListing() {
        let listing = Listing(columns: ["id", "name"], rows: [["1", "Evil\u{1B}[1A\u{1B}[2Kok"]], objects: [])
        let table = listing.render(.table)
        #expect(!table.unicodeScalars.contains("\u{1B}"))
        #expect(table.contains("Evil\\x1B[1A\\x1B[2Kok"))
    }
}
