import ArgumentParser
import Foundation
import PartnerRiskApp
import PartnerRiskCore

/// `make bench-screen`'s reference: every name of a sample of partners compared with every list
/// name, with the same similarity as `screening run`, on as many cores, but no index.
struct BenchScreenNaiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-screen-naive", abstract: "Benchmarks only: all-pairs name comparison of a partner sample.", shouldDisplay: false)

    @OptionGroup var global: GlobalOptions

    @Option(help: "How many partners to compare with every list name.")
    var sample = 2_000

    func run() throws {
        let app = try global.environment()
        let index = ScreeningIndex(entries: try app.repositories.currentEntries().map(\.entry))
        let partners = try app.repositories.partners(matching: PartnerFilter()).prefix(sample).map(\.name)
        let start = Date()
        let hits = index.allPairsAtOrAbove(partners, threshold: ScreeningService.defaultThreshold)
        let seconds = Date().timeIntervalSince(start)
        let pairs = partners.count * index.names.count
        print("naive: \(partners.count) partners × \(index.names.count) list names = \(pairs) pairs in \(String(format: "%.2f", seconds)) s, \(hits) at or above the threshold")
        print("naive-pairs-per-second \(Int(Double(pairs) / max(seconds, 1e-9)))")
    }
}
