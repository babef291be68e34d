import ArgumentParser
import Foundation
import PartnerRiskApp
import PartnerRiskCore
import PartnerRiskDemo

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-respond",
        abstract: "Demo only: play the partners — fill in the offline answer files found in a mail drop and save the answer files, as partners would.")

    @Option(help: ArgumentHelp("The mail drop folder holding the invitations (.eml).", valueName: "dir"))
    var outbox: String

    @Option(help: ArgumentHelp("Where to write the answer files.", valueName: "dir"))
    var out: String

    @Option(help: "Seed: the same seed gives the same answers.")
    var seed: UInt64 = 7

    func run() throws {
        let workspace = Workspace.resolve(databaseFlag: nil)
        let result = try DemoResponder(catalog: SurveyCatalog(directory: workspace.surveysDirectory), seed: seed, today: Date())
            .respond(outbox: URL(fileURLWithPath: outbox), output: URL(fileURLWithPath: out))
        print("\(result.written) partners answered (files in \(out)), \(result.silent) did not answer")
    }
}

struct BenchSeedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-seed", abstract: "Benchmarks only: fill the database with N partners and a complete response each.", shouldDisplay: false)

    @OptionGroup var global: GlobalOptions

    @Option(help: "How many partners.")
    var partners = 100_000

    @Option(help: "Seed for the generated answers.")
    var seed: UInt64 = 7

    func run() throws {
        let app = try global.environment()
        try BenchSeeder(store: app.repositories, catalog: app.catalog).seed(partners: partners, seed: seed)
        print("seeded \(partners) partners with responses")
    }
}
