import ArgumentParser
import Foundation
import PartnerRiskApp
import PartnerRiskCore

/// Runs the command and maps errors to the documented exit codes: 0 ok, 1 failed, 2 bad usage.
@MainActor
func runPartnerRisk() async -> Int32 {
    // Everything this process creates (database, WAL, outbox .eml files holding live links,
    // quarantine, evidence, reports) is readable by its owner only: files 0600, folders 0700.
    umask(0o077)
    do {
        var command = try PartnerRiskCommand.parseAsRoot()
        if var asyncCommand = command as? AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try command.run()
        }
        return 0
    } catch let error as PartnerRiskError {
        FileHandle.standardError.write(Data("error: \(TerminalText.escapedLines(error.message))\n".utf8))
        return error.exitCode
    } catch let code as ExitCode where code.rawValue != 0 {
        return code.rawValue  // the command printed what went wrong
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

/// Prints text that holds values from outside (partner names, file and attachment names, reasons
/// quoting a file) with their control characters escaped, so they cannot forge the output.
func say(_ text: String) {
    print(TerminalText.escapedLines(text))
}

/// A progress line on standard error when it is a terminal; nil (quiet) when output goes to a file or a pipe.
func terminalProgress(_ label: String) -> ProgressMeter? {
    guard isatty(STDERR_FILENO) == 1 else { return nil }
    return ProgressMeter(label: label) { text in FileHandle.standardError.write(Data(text.utf8)) }
}

// `serve` runs Swift's tasks on the web server's own threads; this must happen before any task starts.
if CommandLine.arguments.dropFirst().first == "serve" { _ = AppEnvironment.runTasksOnEventLoops() }
exit(await runPartnerRisk())
