// linepay: the operator's command (orders, capture, void, refund, reconcile, notify, regkeys, admin-password...).
// Parses nothing itself: everything lives in LinePayResponder (LinePayCommand), beside the code the admin pages run.
import Foundation
import LinePayResponder

signal(SIGPIPE, SIG_IGN)   // `linepay orders | head` must end quietly
exit(LinePayCommand.main(CommandLine.arguments, environment: ProcessInfo.processInfo.environment))
