// linepay: the operator's command (capture, void, refund, reconcile, notify...). Filled in by issue 5.
import Foundation
FileHandle.standardError.write(Data("linepay: not yet implemented\n".utf8))
exit(2)
