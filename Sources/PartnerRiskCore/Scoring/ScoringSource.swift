import Foundation
import Synchronization

/// The scoring config and its country list, read from `Surveys/` once per process and read again
/// only when one of the two files changes (size or modification time), so a long-running
/// `serve` neither re-parses YAML on every submission nor keeps a stale config after an edit.
public final class ScoringSource: Sendable {
    /// What was loaded, with the file stamps it was loaded from.
    private struct Loaded: Sendable {
        var config: ScoringConfig
        var countries: CountryRiskList
        var stamps: [FileStamp]
    }

    /// A file's identity for change detection.
    struct FileStamp: Sendable, Equatable {
        var path: String
        var size: Int
        var modified: Date?

        init(url: URL) {
            let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
            path = url.path
            size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
            modified = attributes?[.modificationDate] as? Date
        }
    }

    public let catalog: SurveyCatalog
    /// Loaded configs by scoring file name (`scoring.yaml` unless a survey names another).
    private let loaded = Mutex<[String: Loaded]>([:])

    public init(catalog: SurveyCatalog) {
        self.catalog = catalog
    }

    /// The config a survey names (default `scoring.yaml`) and its country list, loaded at most
    /// once per change of either file.
    public func scoring(for survey: Survey? = nil) throws -> (ScoringConfig, CountryRiskList) {
        let file = survey?.scoringFile ?? "scoring.yaml"
        if let cached = loaded.withLock({ $0[file] }), cached.stamps == currentStamps(file: file, countryList: cached.config.countryListFile) {
            return (cached.config, cached.countries)
        }
        let configStamp = stamp(file)  // taken before reading: an edit during the read reloads next time
        let (config, countries) = try catalog.scoring(for: survey)
        let stamps = [configStamp, stamp(config.countryListFile)]
        loaded.withLock { $0[file] = Loaded(config: config, countries: countries, stamps: stamps) }
        return (config, countries)
    }

    private func currentStamps(file: String, countryList: String) -> [FileStamp] { [stamp(file), stamp(countryList)] }

    private func stamp(_ name: String) -> FileStamp { FileStamp(url: catalog.directory.appendingPathComponent(name)) }
}
