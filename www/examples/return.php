<?php
/*
 * return_url of the demo: the shopper lands here after paying (or cancelling) with the signed result in the
 * query string: kind=return, orderId, status, transactionId, currency, amount, ts, signature. Nothing here is trusted before
 * linepay_verify_return (which refuses a notification); a real shop would now look the order up and show its own page.
 */

declare(strict_types=1);

require __DIR__ . '/demo-common.php';

if (!linepay_verify_return($_GET, demo_secret())) {
    http_response_code(400);
    demo_page('Invalid return link', '<p class="bad">The signature does not match or the link is older than 15 minutes.</p>'
        . '<p><a href="demo-shop.php">Back to the shop</a></p>');
    exit;
}

$status = (string)($_GET['status'] ?? '');
$messages = [
    'paid'       => ['ok', 'Thank you! Your payment is complete.'],
    'authorized' => ['ok', 'Thank you! Your payment is authorized and will be captured when we ship.'],
    'cancelled'  => ['bad', 'The payment was cancelled. Nothing was charged.'],
    'failed'     => ['bad', 'The payment did not go through. Nothing was charged.'],
    'expired'    => ['bad', 'The payment was not completed in time. Nothing was charged.'],
    'checking'   => ['note', 'LINE Pay is still confirming the payment: we will email you when it is through.'],
];
[$class, $message] = $messages[$status] ?? ['note', 'The payment is being processed (status: ' . $status . ').'];

$notified = '';
$log = @file(demo_notify_log(), FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) ?: [];
foreach ($log as $line) {
    if (strpos($line, "\torderId=" . $_GET['orderId'] . "\t") !== false) {
        $notified .= h($line) . "\n";
    }
}

demo_page('Order ' . $_GET['orderId'],
    '<p class="' . h($class) . '">' . h($message) . '</p>'
    . '<table><tr><th>Order</th><td>' . h($_GET['orderId']) . '</td></tr>'
    . '<tr><th>Status</th><td>' . h($status) . '</td></tr>'
    . '<tr><th>LINE Pay transaction</th><td>' . h($_GET['transactionId'] ?? '') . '</td></tr>'
    . '<tr><th>Amount</th><td>' . h($_GET['amount'] ?? '') . '</td></tr></table>'
    . '<h2>Notifications received by notify.php</h2>'
    . ($notified !== '' ? '<pre>' . $notified . '</pre>' : '<p class="note">None yet for this order (reload in a moment).</p>')
    . '<p><a href="demo-shop.php">Shop again</a></p>');
