import Synchronization
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

/// The progress line of long commands, with the clock injected.
@Suite struct ProgressMeterTests {
    @Test func theLineGivesTheCountTheRateAndTheTimeLeftAndIsRedrawnAtMostFourTimesASecond() {
        #expect(ProgressMeter.line(label: "sending", done: 1_200, total: 5_000, elapsed: 2) == "sending: 1,200 of 5,000 (24%), 600/s, about 6.3 s left")
        #expect(ProgressMeter.line(label: "rescoring", done: 100_000, total: 100_000, elapsed: 125, finished: true) == "rescoring: 100,000 of 100,000 (100%), 800/s, 2 min 5 s")
        let clock = ManualClock(fixedNow)
        let written = Mutex<[String]>([])
        let meter = ProgressMeter(label: "importing", clock: { clock.now() }) { text in written.withLock { $0.append(text) } }
        meter.begin(total: 10)
        for _ in 0..<4 {
            clock.advance(0.1)
            meter.advance()
        }
        // First drawn once a quarter second has passed (at the third step); work quicker than that draws nothing.
        #expect(written.withLock { $0 } == ["\r\u{1B}[Kimporting: 3 of 10 (30%), 10/s, about 0.7 s left"])
        meter.finish()
        let lines = written.withLock { $0 }
        #expect(lines.last == "\r\u{1B}[Kimporting: 4 of 10 (40%), 10/s, 0.4 s\n")
        // Quick work that never drew a line prints nothing at the end.
        let quiet = ProgressMeter(label: "q", interval: 100, clock: { fixedNow }) { text in written.withLock { $0.append(text) } }
        quiet.begin(total: 1)
        quiet.finish()
        #expect(written.withLock { $0 }.count == lines.count)
    }
}
