<?php
/*
 * notify_url of the demo: linepay-fcgi POSTs a signed notification of every change of an order here (kind,
 * eventId, seq, orderId, status, transactionId, currency, amount, authorized, captured, refunded, refundable, ts,
 * signature) and retries until it gets a 200. Answer 200 only after the signature checks out and the news is
 * stored. The same notification may come twice, and a replayed or late one after a newer one: apply one only if its
 * seq is higher than the last one applied for that order (the others get 200 too, so they are not retried).
 */

declare(strict_types=1);

require __DIR__ . '/demo-common.php';

header('Content-Type: text/plain; charset=utf-8');
if (($_SERVER['REQUEST_METHOD'] ?? '') !== 'POST') {
    http_response_code(405);
    header('Allow: POST');
    exit("POST only\n");
}
if (!linepay_verify_notification($_POST, demo_secret())) {
    http_response_code(403);
    exit("bad signature\n");
}

// The highest seq applied per order, in a file beside the log; the lock makes read-compare-write one step.
$state = fopen(demo_notify_log() . '.seq', 'c+');
if ($state === false || !flock($state, LOCK_EX)) {
    http_response_code(500);   // not stored: let the responder try again later
    exit("cannot open the seq file\n");
}
$applied = json_decode((string)stream_get_contents($state), true);
$applied = is_array($applied) ? $applied : [];
$orderId = $_POST['orderId'];
$seq = (int)$_POST['seq'];
if (isset($applied[$orderId]) && $seq <= (int)$applied[$orderId]) {
    echo "ignored: seq $seq is not newer than {$applied[$orderId]}\n";
    exit;
}

$line = gmdate('Y-m-d\TH:i:s\Z');
foreach (['orderId', 'seq', 'status', 'transactionId', 'amount', 'captured', 'refunded', 'refundable', 'ts'] as $key) {
    // Field values are signed, not sanitised: keep tabs and line breaks out of the log.
    $line .= "\t" . $key . '=' . preg_replace('/[\x00-\x1f\x7f]/', ' ', (string)($_POST[$key] ?? ''));
}
if (file_put_contents(demo_notify_log(), $line . "\n", FILE_APPEND | LOCK_EX) === false) {
    http_response_code(500);   // not stored: let the responder try again later
    exit("cannot write the log\n");
}
$applied[$orderId] = $seq;
ftruncate($state, 0);
rewind($state);
fwrite($state, json_encode($applied));
fflush($state);
echo "OK\n";
