import Foundation

/// The sales chart: inline SVG drawn here, no library, no script. Bars are `<rect>` with a class (coloured by
/// admin.css) and SVG geometry attributes, which `style-src 'self'` allows; each carries a `<title>` with its
/// exact value. Heights are computed in Decimal, so the money never passes through floating point.
enum AdminChart {
    static let barWidth = 18, gap = 4, plotHeight = 120, top = 20, bottom = 24, left = 8

    static func svg(currency: String, days: [AdminSalesDay]) -> String {
        let width = left * 2 + days.count * (barWidth + gap)
        let height = top + plotHeight + bottom
        let maximum = days.map(\.net).max() ?? 0
        let total = days.reduce(Decimal(0)) { $0 + $1.net }
        let label = "Net sales per day in \(currency), last \(days.count) days: \(Fragment.money(Money.text(total), currency)) in all"
        var svg = "<figure class=\"lpa-chart\" id=\"lpa-chart-\(htmlEscape(currency))\">\n"
        svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"\(htmlEscape(label))\">\n"
        svg += "<title>\(htmlEscape(label))</title>\n"
        svg += "<line class=\"lpa-axis\" x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(width - left)\" y2=\"\(top + plotHeight)\" stroke=\"currentColor\"/>\n"
        svg += "<text class=\"lpa-chart-max\" x=\"\(left)\" y=\"12\">max \(htmlEscape(Fragment.money(Money.text(maximum), currency)))</text>\n"
        for (i, day) in days.enumerated() {
            let h = maximum > 0 ? scaled(day.net, of: maximum, to: plotHeight) : 0
            let x = left + i * (barWidth + gap)
            let value = "\(day.date): \(Fragment.money(Money.text(day.net), currency)) (\(day.orders) order\(day.orders == 1 ? "" : "s"))"
            svg += "<rect class=\"lpa-bar\" x=\"\(x)\" y=\"\(top + plotHeight - h)\" width=\"\(barWidth)\" height=\"\(max(h, day.net > 0 ? 1 : 0))\" fill=\"#06C755\" data-date=\"\(htmlEscape(day.date))\" data-net=\"\(htmlEscape(Money.text(day.net)))\"><title>\(htmlEscape(value))</title></rect>\n"
            if i % 5 == 0 || i == days.count - 1 {
                svg += "<text class=\"lpa-chart-label\" x=\"\(x)\" y=\"\(top + plotHeight + 16)\">\(htmlEscape(String(day.date.suffix(5))))</text>\n"
            }
        }
        svg += "</svg>\n<figcaption>\(htmlEscape(label))</figcaption>\n</figure>"
        return svg
    }

    /// round(value / maximum * size), in Decimal.
    static func scaled(_ value: Decimal, of maximum: Decimal, to size: Int) -> Int {
        var ratio = value * Decimal(size) / maximum
        var rounded = Decimal()
        NSDecimalRound(&rounded, &ratio, 0, .plain)
        return NSDecimalNumber(decimal: rounded).intValue
    }
}

/// Amount text without floating point (LinePayPages does not depend on the LinePay library).
enum Money {
    static func text(_ value: Decimal) -> String {
        var v = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &v, 2, .plain)
        return rounded.description   // locale-free, like LinePay's Money.format
    }
}
