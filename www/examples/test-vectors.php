<?php
/*
 * Checks linepay-handoff.php against the shared signing vectors:
 *   php www/examples/test-vectors.php ../shared/test-vectors/handoff.json
 * For every vector: the canonical string, linepay_sign, linepay_verify_signed (fresh ts skipped: maxAge 0) and that a
 * changed field or a wrong secret fails. Also that linepay_checkout_form signs what it renders. Exits 1 on any failure.
 */

declare(strict_types=1);

require __DIR__ . '/linepay-handoff.php';

if ($argc < 2) {
    fwrite(STDERR, "usage: php test-vectors.php path/to/handoff.json\n");
    exit(2);
}
$json = @file_get_contents($argv[1]);
$data = $json === false ? null : json_decode($json, true);
if (!is_array($data) || !isset($data['vectors']) || !is_array($data['vectors']) || count($data['vectors']) === 0) {
    fwrite(STDERR, "test-vectors.php: cannot read vectors from {$argv[1]}\n");
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

foreach ($data['vectors'] as $i => $v) {
    $fields = $v['fields'];
    $secret = $v['handoffSecret'];
    $sorted = $fields;
    ksort($sorted, SORT_STRING);
    $canonical = http_build_query($sorted, '', '&', PHP_QUERY_RFC3986);
    check($canonical === $v['canonical'], "vector $i canonical:\n  got  $canonical\n  want {$v['canonical']}");
    $signature = linepay_sign($fields, $secret);
    check($signature === $v['signature'], "vector $i signature: got $signature, want {$v['signature']}");

    $signed = $fields + ['signature' => $v['signature']];
    check(linepay_verify_signed($signed, $secret, 0), "vector $i verifies");
    check(!linepay_verify_signed($signed, $secret, 900), "vector $i is refused as too old with the default maxAge");
    check(!linepay_verify_signed($signed, $secret . 'x', 0), "vector $i is refused with another secret");
    $tampered = $signed;
    $tampered['amount'] = $tampered['amount'] . '0';
    check(!linepay_verify_signed($tampered, $secret, 0), "vector $i is refused with a changed amount");
    $extra = $signed + ['extra' => ''];
    check(!linepay_verify_signed($extra, $secret, 0), "vector $i is refused with an added field");
}

// The form helper: the hidden fields it renders are exactly the signed ones, escaped.
$secret = 'form-secret-0123456789';
$html = linepay_checkout_form([
    'orderId' => 'F-1', 'currency' => 'TWD', 'amount' => 250, 'shippingFee' => '10', 'locale' => 'zh_TW',
    'items' => [['name' => 'Tea "<b>&</b>" 茶', 'price' => 120, 'quantity' => 2, 'id' => 'sku-9']],
], $secret, '/linepay/checkout?x=1&y=2');
preg_match_all('/<input type="hidden" name="([^"]*)" value="([^"]*)">/', $html, $m, PREG_SET_ORDER);
$posted = [];
foreach ($m as $input) {
    $posted[html_entity_decode($input[1], ENT_QUOTES | ENT_HTML5, 'UTF-8')] = html_entity_decode($input[2], ENT_QUOTES | ENT_HTML5, 'UTF-8');
}
check(($posted['items[0][name]'] ?? null) === 'Tea "<b>&</b>" 茶', 'form escapes and keeps the item name');
check(strpos($html, '<b>') === false, 'form has no raw markup from values');
check(strpos($html, 'action="/linepay/checkout?x=1&amp;y=2"') !== false, 'form escapes the action');
check(array_keys($posted) == ['orderId', 'currency', 'amount', 'shippingFee', 'locale', 'items[0][name]', 'items[0][price]',
                              'items[0][quantity]', 'items[0][id]', 'ts', 'signature'], 'form posts exactly the handoff fields');
check(abs((int)($posted['ts'] ?? 0) - time()) <= 5, 'form stamps ts with the current time');
check(linepay_verify_signed($posted, $secret, 900), 'form signature verifies');

echo "$passed passed, $failed failed\n";
exit($failed === 0 ? 0 : 1);
