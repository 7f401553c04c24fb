import Foundation

/// The package root: the nearest directory above this source file that holds Package.swift.
public func repoRoot() -> String {
    var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while url.path != "/" {
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            return url.path
        }
        url.deleteLastPathComponent()
    }
    fatalError("no Package.swift above \(#filePath)")
}

/// Where the build put the products: `$LINEPAY_BIN_DIR` when set, else the directory of the running test
/// binary (`.build/<triple>/debug`, or `<scratch>/<triple>/debug` under `swift test --scratch-path X`),
/// else `<repo>/.build/debug`.
public func builtProductsDirectory() -> String {
    if let directory = ProcessInfo.processInfo.environment["LINEPAY_BIN_DIR"], !directory.isEmpty {
        return directory
    }
    // On Linux the test bundle is an executable (…PackageTests.xctest) among the products; /proc/self/exe
    // names it whatever path swift test used. On macOS it is a bundle directory inside the products directory.
    let candidates = [
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")).map(URL.init(fileURLWithPath:)),
        Bundle.main.executableURL,
        Bundle.main.bundleURL,
    ]
    for case let url? in candidates {
        var directory = url.standardizedFileURL
        while directory.path != "/" && !directory.lastPathComponent.hasSuffix(".xctest") {
            directory.deleteLastPathComponent()
        }
        if directory.path != "/" { return directory.deletingLastPathComponent().path }
    }
    return repoRoot() + "/.build/debug"
}

/// The path of an executable product built alongside the tests (see `builtProductsDirectory`).
public func builtBinary(_ name: String) -> String {
    builtProductsDirectory() + "/" + name
}
