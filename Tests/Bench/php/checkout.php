<?php
// Anchor for POST /checkout: verify the HMAC over the posted fields (the same scheme as linepay-fcgi's handoff),
// start a session, INSERT the order and its items in one transaction (WAL, synchronous=FULL), render a small page.
require __DIR__ . '/common.php';
$secret = getenv('ANCHOR_HANDOFF_SECRET');
$fields = $_POST;
$signature = $fields['signature'] ?? '';
unset($fields['signature']);
// $_POST nests items[0][name]; the signature covers the flat names, as posted.
$flat = [];
parse_str_flat(file_get_contents('php://input'), $flat);
unset($flat['signature']);
ksort($flat, SORT_STRING);
$canonical = implode('&', array_map(fn($k, $v) => rawurlencode($k) . '=' . rawurlencode($v), array_keys($flat), $flat));
if (!hash_equals(hash_hmac('sha256', $canonical, $secret), strtolower($signature))) {
    http_response_code(400); echo "signature: does not match\n"; exit;
}
$ts = (int)($flat['ts'] ?? 0);
if (abs(time() - $ts) > 900) { http_response_code(400); echo "ts: too old\n"; exit; }
$orderId = $flat['orderId'] ?? '';
if (!preg_match('/^[A-Za-z0-9_-]{1,90}$/', $orderId)) { http_response_code(400); echo "orderId: invalid\n"; exit; }
session_start();
if (empty($_SESSION['csrf'])) $_SESSION['csrf'] = bin2hex(random_bytes(24));
$items = [];
for ($i = 0; isset($flat["items[$i][name]"]); $i++) {
    $items[] = [$flat["items[$i][name]"], $flat["items[$i][price]"], (int)$flat["items[$i][quantity]"]];
}
$db = anchor_db();
$db->exec('BEGIN IMMEDIATE');
$db->prepare('INSERT INTO orders (order_id, currency, amount, state, session_id, created_at) VALUES (?, ?, ?, ?, ?, ?)')
   ->execute([$orderId, $flat['currency'], $flat['amount'], 'new', session_id(), time()]);
$row = $db->lastInsertId();
$ins = $db->prepare('INSERT INTO items (order_row, position, name, price, quantity) VALUES (?, ?, ?, ?, ?)');
foreach ($items as $p => [$name, $price, $qty]) $ins->execute([$row, $p, $name, $price, $qty]);
$db->exec('COMMIT');
header('Content-Type: text/html; charset=utf-8');
header('Cache-Control: no-store');
$h = fn($s) => htmlspecialchars($s, ENT_QUOTES, 'UTF-8');
echo "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Checkout</title></head><body><main>";
echo "<h1>Order " . $h($orderId) . "</h1><table>";
foreach ($items as [$name, $price, $qty]) echo "<tr><td>" . $h($name) . "</td><td>$qty</td><td>" . $h($price) . "</td></tr>";
echo "</table><p>Total " . $h($flat['amount']) . " " . $h($flat['currency']) . "</p>";
echo "<form method=\"post\" action=\"pay\"><input type=\"hidden\" name=\"csrf\" value=\"" . $h($_SESSION['csrf']) . "\">";
echo "<button>Pay with LINE Pay</button></form></main></body></html>";

function parse_str_flat(string $body, array &$out): void {
    foreach (explode('&', $body) as $piece) {
        if ($piece === '') continue;
        [$k, $v] = array_pad(explode('=', $piece, 2), 2, '');
        $out[urldecode($k)] = urldecode($v);
    }
}
