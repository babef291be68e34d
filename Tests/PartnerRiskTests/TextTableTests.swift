import Testing
@testable import PartnerRiskCore

/// What a terminal table shows never misleads: a cut falls between list items or words.
@Suite struct TextTableTests {
    @Test func aLongCellIsCutAfterAWholeListItemOrWordWithAnEllipsis() {
        #expect(TextTable.cut("seals 80, corporate 50", width: 20) == "seals 80, …")
        #expect(TextTable.cut("seals 80, corporate 50, cargo 10", width: 28) == "seals 80, corporate 50, …")
        #expect(TextTable.cut("Transports Bélanger & Fils inc.", width: 21) == "Transports Bélanger …")
        #expect(TextTable.cut("Transports Bélanger & Fils inc.", width: 20) == "Transports …")
        #expect(TextTable.cut("Supercalifragilisticexpialidocious", width: 10) == "Supercali…")
        #expect(TextTable.cut("short", width: 10) == "short")
        for (text, width) in [("seals 80, corporate 50", 20), ("a b c d e f g h i j k", 7), ("one; two; three", 9)] {
            #expect(TextTable.cut(text, width: width).count <= width)
        }
        let table = TextTable(headers: ["worst"], rows: [["seals 80, corporate 50"]], maxColumnWidth: 20).render()
        #expect(table.contains("seals 80, …") && !table.contains("corporate 5"))
    }
}
