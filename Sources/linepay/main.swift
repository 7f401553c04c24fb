// linepay: the operator's command (orders, capture, void, refund, reconcile, notify, regkeys, admin-password...).
// Parses the command line and calls the payment core (LinePayCheckout), the same code the admin pages run.
import Foundation
import LinePayPages

signal(SIGPIPE, SIG_IGN)   // `linepay orders | head` must end quietly
exit(LinePayCommand.main(CommandLine.arguments, environment: ProcessInfo.processInfo.environment))
