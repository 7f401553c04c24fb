import Foundation

/// `YYYY-MM-DD HH:MM:SS` in UTC.
public func utcText(_ t: Int64) -> String {
    var time = time_t(t)
    var parts = tm()
    gmtime_r(&time, &parts)
    return String(format: "%04d-%02d-%02d %02d:%02d:%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                  parts.tm_hour, parts.tm_min, parts.tm_sec)
}

/// Unix seconds of 00:00 UTC of a `YYYY-MM-DD` date, or nil.
public func utcDay(_ text: String) -> Int64? {
    let p = text.split(separator: "-")
    guard text.utf8.count == 10, p.count == 3, let y = Int32(p[0]), let m = Int32(p[1]), let d = Int32(p[2]),
          (1970...9999).contains(y), (1...12).contains(m), (1...31).contains(d) else { return nil }
    var parts = tm()
    parts.tm_year = y - 1900; parts.tm_mon = m - 1; parts.tm_mday = d
    let t = timegm(&parts)
    guard utcText(Int64(t)).hasPrefix(text) else { return nil }   // 2024-02-31 is not a date
    return Int64(t)
}
