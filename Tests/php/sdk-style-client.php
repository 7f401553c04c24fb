<?php
// An outside client for the sandbox, written for this project: it builds requests the way the most used public
// PHP SDK does (http_build_query for a GET's query, json_encode for a body, nonce date('c') . uniqid('-'),
// Base64(HMAC-SHA256(secret, secret + path + query-or-body + nonce))) and sends them with PHP's own HTTP stream
// wrapper, so nothing of our Swift code takes part.
//
//   php sdk-style-client.php BASE_URL CHANNEL_ID SECRET VERSION ORDER_ID TRANSACTION_ID...
//
// 1. POST {VERSION}/payments/request with a json_encode'd body (slashes escaped as \/, as PHP writes them);
// 2. GET  {VERSION}/payments?transactionId[0]=..&transactionId[1]=..&orderId[0]=.. as http_build_query writes it.
// Prints one JSON line per call: {"call", "returnCode", "ids", "query", "nonce"}; exits 1 unless both answer 0000.

if ($argc < 7) {
    fwrite(STDERR, "usage: php sdk-style-client.php BASE_URL CHANNEL_ID SECRET VERSION ORDER_ID TRANSACTION_ID...\n");
    exit(2);
}
[$self, $base, $channelId, $secret, $version, $orderId] = array_slice($argv, 0, 6);
$transactionIds = array_slice($argv, 6);

function call($base, $channelId, $secret, $method, $path, $query, $body) {
    $nonce = date('c') . uniqid('-');
    $signed = $method === 'GET' ? ($query ?? '') : $body;
    $signature = base64_encode(hash_hmac('sha256', $secret . $path . $signed . $nonce, $secret, true));
    $headers = ["Content-Type: application/json", "X-LINE-ChannelId: $channelId",
                "X-LINE-Authorization-Nonce: $nonce", "X-LINE-Authorization: $signature"];
    $context = stream_context_create(['http' => [
        'method' => $method, 'header' => implode("\r\n", $headers), 'content' => $method === 'GET' ? '' : $body,
        'ignore_errors' => true, 'timeout' => 20,
    ]]);
    $url = $base . $path . ($query ? "?$query" : '');
    $text = file_get_contents($url, false, $context);
    if ($text === false) { fwrite(STDERR, "no answer from $url\n"); exit(1); }
    // 19-digit ids stay exact only as strings (a PHP float would round them).
    $answer = json_decode($text, true, 512, JSON_BIGINT_AS_STRING);
    if (!is_array($answer)) { fwrite(STDERR, "not JSON: $text\n"); exit(1); }
    return [$answer, $nonce];
}

$ok = true;

$body = json_encode([
    'amount' => 100, 'currency' => 'TWD', 'orderId' => 'PHP-' . bin2hex(random_bytes(4)),
    'packages' => [['id' => 'pkg-1', 'amount' => 100, 'products' => [['name' => 'Tea', 'quantity' => 1, 'price' => 100]]]],
    'redirectUrls' => ['confirmUrl' => 'https://shop.example/linepay/confirm', 'cancelUrl' => 'https://shop.example/linepay/cancel'],
]);
[$reserved, $nonce] = call($base, $channelId, $secret, 'POST', "/$version/payments/request", null, $body);
echo json_encode(['call' => 'request', 'returnCode' => $reserved['returnCode'] ?? null,
                  'ids' => [(string)($reserved['info']['transactionId'] ?? '')], 'nonce' => $nonce]), "\n";
$ok = $ok && ($reserved['returnCode'] ?? '') === '0000';

$query = http_build_query(['transactionId' => $transactionIds, 'orderId' => [$orderId]]);
[$details, $nonce] = call($base, $channelId, $secret, 'GET', "/$version/payments", $query, '');
$ids = array_map(fn($d) => (string)$d['transactionId'], $details['info'] ?? []);
echo json_encode(['call' => 'details', 'returnCode' => $details['returnCode'] ?? null, 'ids' => $ids,
                  'providers' => array_map(fn($d) => $d['paymentProvider'] ?? null, $details['info'] ?? []),
                  'query' => $query, 'nonce' => $nonce]), "\n";
$ok = $ok && ($details['returnCode'] ?? '') === '0000';

exit($ok ? 0 : 1);
