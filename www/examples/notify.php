<?php
/*
 * notify_url of the demo: linepay-fcgi POSTs the signed result of every paid, authorized, cancelled, voided or
 * refunded order here (orderId, status, transactionId, amount, ts, signature) and retries until it gets a 200.
 * Answer 200 only after the signature checks out and the news is stored; the same news may come twice.
 */

declare(strict_types=1);

require __DIR__ . '/demo-common.php';

header('Content-Type: text/plain; charset=utf-8');
if (($_SERVER['REQUEST_METHOD'] ?? '') !== 'POST') {
    http_response_code(405);
    header('Allow: POST');
    exit("POST only\n");
}
// Retries keep the ts of the event: accept a week-old notification, not only a fresh one.
if (!linepay_verify($_POST, demo_secret(), 7 * 86400)) {
    http_response_code(403);
    exit("bad signature\n");
}

$line = gmdate('Y-m-d\TH:i:s\Z');
foreach (['orderId', 'status', 'transactionId', 'amount', 'ts'] as $key) {
    // Field values are signed, not sanitised: keep tabs and line breaks out of the log.
    $line .= "\t" . $key . '=' . preg_replace('/[\x00-\x1f\x7f]/', ' ', (string)($_POST[$key] ?? ''));
}
if (file_put_contents(demo_notify_log(), $line . "\n", FILE_APPEND | LOCK_EX) === false) {
    http_response_code(500);   // not stored: let the responder try again later
    exit("cannot write the log\n");
}
echo "OK\n";
