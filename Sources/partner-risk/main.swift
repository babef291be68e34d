import ArgumentParser
import Foundation
import PartnerRiskApp
import PartnerRiskCore

/// Runs the command and maps errors to the documented exit codes: 0 ok, 1 failed, 2 bad usage.
@MainActor
func runPartnerRisk() async -> Int32 {
    do {
        var command = try PartnerRiskCommand.parseAsRoot()
        if var asyncCommand = command as? AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try command.run()
        }
        return 0
    } catch let error as PartnerRiskError {
        FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
        return error.exitCode
    } catch {
        let code = PartnerRiskCommand.exitCode(for: error)
        if code == .success || code.rawValue == 0 {
            PartnerRiskCommand.exit(withError: error)
        }
        let message = PartnerRiskCommand.fullMessage(for: error)
        FileHandle.standardError.write(Data((message.isEmpty ? "error: \(error)" : message).utf8 + [10]))
        if error is ExitCode { return code.rawValue }
        return code == .validationFailure ? 2 : (code.rawValue == 64 ? 2 : 1)
    }
}

exit(await runPartnerRisk())
