<?php
/*
 * Checks linepay-handoff.php against the return-link and notification vectors, and the demo's notify.php:
 *   php www/examples/test-messages.php Tests/vectors/messages.json
 * For every vector: the derived key, the canonical string, the signature, that it verifies as its own kind only,
 * and that a changed field fails. Then notify.php (run by php-cgi) with signed notifications: a replayed or older
 * seq after a newer one is answered 200 and not applied. Exits 1 on any failure.
 */

declare(strict_types=1);

require __DIR__ . '/linepay-handoff.php';

if ($argc < 2) {
    fwrite(STDERR, "usage: php test-messages.php path/to/messages.json\n");
    exit(2);
}
$json = @file_get_contents($argv[1]);
$data = $json === false ? null : json_decode($json, true);
if (!is_array($data) || !isset($data['vectors']) || !is_array($data['vectors']) || count($data['vectors']) < 4) {
    fwrite(STDERR, "test-messages.php: cannot read vectors from {$argv[1]}\n");
    exit(2);
}

$passed = 0;
$failed = 0;
function check(bool $ok, string $what): void
{
    global $passed, $failed;
    if ($ok) {
        $passed++;
    } else {
        $failed++;
        fwrite(STDERR, "FAIL: $what\n");
    }
}

$kinds = [];
foreach ($data['vectors'] as $i => $v) {
    $kinds[$v['kind']] = true;
    $secret = $v['handoffSecret'];
    check(linepay_message_key($v['kind'], $secret) === $v['key'], "vector $i key");
    $sorted = $v['fields'];
    ksort($sorted, SORT_STRING);
    check(http_build_query($sorted, '', '&', PHP_QUERY_RFC3986) === $v['canonical'], "vector $i canonical");
    check(linepay_sign($v['fields'], $v['key']) === $v['signature'], "vector $i signature");

    $signed = $v['fields'] + ['signature' => $v['signature']];
    $asReturn = linepay_verify_return($signed, $secret, 0);
    $asNotification = linepay_verify_notification($signed, $secret);
    check($asReturn === ($v['kind'] === 'return'), "vector $i ({$v['kind']}) as a return link");
    check($asNotification === ($v['kind'] === 'notification'), "vector $i ({$v['kind']}) as a notification");
    // The attack of issue 10: the same fields relabelled as the other kind still fail (the key differs).
    $relabelled = $signed;
    $relabelled['kind'] = $v['kind'] === 'return' ? 'notification' : 'return';
    $relabelled += ['seq' => '99', 'eventId' => '99'];
    check(!linepay_verify_return($relabelled, $secret, 0) && !linepay_verify_notification($relabelled, $secret),
          "vector $i relabelled as the other kind is refused");
    $tampered = $signed;
    $tampered['status'] = 'paid' === $tampered['status'] ? 'refunded' : 'paid';
    check(!linepay_verify_return($tampered, $secret, 0) && !linepay_verify_notification($tampered, $secret),
          "vector $i with a changed status is refused");
    check(!linepay_verify_return($signed, $secret . 'x', 0) && !linepay_verify_notification($signed, $secret . 'x'),
          "vector $i with another secret is refused");
}
check(isset($kinds['return'], $kinds['notification']), 'vectors of both kinds');

// notify.php through php-cgi, as a web server would run it.
$secret = 'notify-test-secret-0123456789';
$log = tempnam(sys_get_temp_dir(), 'lp-notify-');
function notification(string $secret, int $seq, string $status, string $refunded): array
{
    $f = ['kind' => 'notification', 'eventId' => (string)(100 + $seq), 'seq' => (string)$seq, 'orderId' => 'N-1',
          'status' => $status, 'transactionId' => '2026121500000000001', 'currency' => 'TWD', 'amount' => '360',
          'authorized' => '360', 'captured' => '360', 'refunded' => $refunded,
          'refundable' => (string)(360 - (int)$refunded), 'ts' => (string)time()];
    $f['signature'] = linepay_sign($f, linepay_message_key('notification', $secret));
    return $f;
}
function post_notify(array $fields, string $secret, string $log): array
{
    $body = http_build_query($fields, '', '&', PHP_QUERY_RFC3986);
    $env = ['REQUEST_METHOD' => 'POST', 'CONTENT_TYPE' => 'application/x-www-form-urlencoded',
            'CONTENT_LENGTH' => (string)strlen($body), 'SCRIPT_FILENAME' => __DIR__ . '/notify.php', 'REDIRECT_STATUS' => '200',
            'GATEWAY_INTERFACE' => 'CGI/1.1', 'LINEPAY_HANDOFF_SECRET' => $secret, 'LINEPAY_NOTIFY_LOG' => $log,
            'PATH' => getenv('PATH') ?: '/usr/bin:/bin'];
    $p = proc_open(['php-cgi'], [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
    fwrite($pipes[0], $body);
    fclose($pipes[0]);
    $out = stream_get_contents($pipes[1]);
    fclose($pipes[1]);
    fclose($pipes[2]);
    proc_close($p);
    $status = preg_match('/^Status: (\d+)/m', $out, $m) ? (int)$m[1] : 200;
    return [$status, substr($out, strpos($out, "\r\n\r\n") + 4)];
}
$paid = notification($secret, 1, 'paid', '0');
$refunded = notification($secret, 2, 'refunded', '360');
[$s1] = post_notify($paid, $secret, $log);
[$s2] = post_notify($refunded, $secret, $log);
[$s3, $b3] = post_notify($paid, $secret, $log);        // the saved "paid" notification, replayed
check($s1 === 200 && $s2 === 200 && $s3 === 200, "notify.php answers 200 to each (got $s1 $s2 $s3)");
check(strpos($b3, 'ignored') === 0, "the replayed older notification is ignored: $b3");
$lines = file($log, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) ?: [];
check(count($lines) === 2 && strpos(end($lines), "status=refunded") !== false, 'the log ends with refunded: ' . implode(' | ', $lines));
// A shopper's return link posted to notify_url: refused.
$ret = ['kind' => 'return', 'orderId' => 'N-1', 'status' => 'paid', 'transactionId' => '2026121500000000001',
        'currency' => 'TWD', 'amount' => '360', 'ts' => (string)time()];
$ret['signature'] = linepay_sign($ret, linepay_message_key('return', $secret));
[$s4] = post_notify($ret, $secret, $log);
check($s4 === 403, "a return link posted to notify.php is refused (got $s4)");
check(count(file($log, FILE_SKIP_EMPTY_LINES) ?: []) === 2, 'nothing more was logged');
@unlink($log);
@unlink($log . '.seq');

echo "$passed passed, $failed failed\n";
exit($failed === 0 ? 0 : 1);
