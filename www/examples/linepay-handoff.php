<?php
/*
 * linepay-handoff.php: the shop's side of linepay-fcgi. PHP 7.4 or later, no extensions beyond the default
 * (hash), no Composer. Copy this one file into the shop and require it.
 *
 *   require __DIR__ . '/linepay-handoff.php';
 *   $secret = getenv('LINEPAY_HANDOFF_SECRET');          // the same value as handoff_secret in linepay.conf
 *
 *   // Checkout page: a form that posts the signed order to the responder (the shopper presses the button).
 *   echo linepay_checkout_form([
 *       'orderId'  => 'A-1001',                          // unique per checkout: A-Z a-z 0-9 _ - (up to 90)
 *       'currency' => 'TWD',                             // TWD, JPY, THB or USD
 *       'amount'   => '360',                             // = sum of price * quantity + shippingFee
 *       'items'    => [['name' => 'Oolong tea 150 g', 'price' => '120', 'quantity' => 3]],
 *   ], $secret);
 *
 *   // return_url page (the shopper comes back) and notify_url script (the responder POSTs the result):
 *   if (!linepay_verify($_GET, $secret)) { http_response_code(400); exit('bad signature'); }
 *   // $_GET['status'] is e.g. 'paid'; trust orderId/status/transactionId/amount only after the check above.
 *   // In notify_url use linepay_verify($_POST, $secret, 7 * 86400) and answer 200 only when it is true.
 */

declare(strict_types=1);

/**
 * The signature of a flat array of form fields: lower-case hex HMAC-SHA256 over the canonical string
 * (every field but 'signature', sorted by name bytewise, each rawurlencode(name)=rawurlencode(value), joined by &).
 * The same scheme signs the handoff, the return link and the notifications.
 */
function linepay_sign(array $fields, string $secret): string
{
    unset($fields['signature']);
    $flat = [];
    foreach ($fields as $name => $value) {
        if (is_array($value) || is_object($value) || $value === null) {
            throw new InvalidArgumentException("linepay_sign: field '$name' must be a string or a number");
        }
        $flat[(string)$name] = is_bool($value) ? ($value ? '1' : '0') : (string)$value;
    }
    ksort($flat, SORT_STRING);
    return hash_hmac('sha256', http_build_query($flat, '', '&', PHP_QUERY_RFC3986), $secret);
}

/**
 * The flat handoff fields of an order, without ts and signature:
 * orderId, currency, amount, items[N][name|price|quantity|id|imageUrl], and shippingFee and locale when given.
 * $order['items'] is a list of ['name' => ..., 'price' => ..., 'quantity' => ..., optional 'id', 'imageUrl'].
 */
function linepay_handoff_fields(array $order): array
{
    foreach (['orderId', 'currency', 'amount', 'items'] as $key) {
        if (!isset($order[$key]) || $order[$key] === '' || $order[$key] === []) {
            throw new InvalidArgumentException("linepay_checkout_form: '$key' is required");
        }
    }
    $fields = [
        'orderId'  => (string)$order['orderId'],
        'currency' => (string)$order['currency'],
        'amount'   => (string)$order['amount'],
    ];
    foreach (['shippingFee', 'locale'] as $key) {
        if (isset($order[$key]) && $order[$key] !== '') {
            $fields[$key] = (string)$order[$key];
        }
    }
    // The responder expects items numbered from 0 without gaps, and no other fields.
    foreach (array_values($order['items']) as $n => $item) {
        foreach (['name', 'price', 'quantity'] as $key) {
            if (!isset($item[$key]) || $item[$key] === '') {
                throw new InvalidArgumentException("linepay_checkout_form: items[$n]['$key'] is required");
            }
            $fields["items[$n][$key]"] = (string)$item[$key];
        }
        foreach (['id', 'imageUrl'] as $key) {
            if (isset($item[$key]) && $item[$key] !== '') {
                $fields["items[$n][$key]"] = (string)$item[$key];
            }
        }
    }
    return $fields;
}

/**
 * An HTML form that posts the signed order to the responder's /checkout: hidden inputs and one submit button
 * (the button has no name, so it adds no field). ts is the current time unless $order['ts'] is given; the
 * responder accepts the form for 15 minutes, so render it when the shopper is about to pay.
 */
function linepay_checkout_form(array $order, string $secret, string $action = '/linepay/checkout',
                               string $buttonLabel = 'Pay with LINE Pay'): string
{
    $fields = linepay_handoff_fields($order);
    $fields['ts'] = (string)($order['ts'] ?? time());
    $fields['signature'] = linepay_sign($fields, $secret);

    $h = static function (string $s): string {
        return htmlspecialchars($s, ENT_QUOTES | ENT_SUBSTITUTE | ENT_HTML5, 'UTF-8');
    };
    $html = '<form method="post" action="' . $h($action) . '" accept-charset="UTF-8" class="linepay-checkout">' . "\n";
    foreach ($fields as $name => $value) {
        $html .= '  <input type="hidden" name="' . $h((string)$name) . '" value="' . $h($value) . '">' . "\n";
    }
    $html .= '  <button type="submit" class="linepay-button">' . $h($buttonLabel) . "</button>\n</form>\n";
    return $html;
}

/**
 * True when $fields (the return link's $_GET, or a notification's $_POST) carry a valid signature and a ts no
 * older than $maxAge seconds (nor more than a minute in the future). $maxAge = 0 skips the time check.
 * Notifications are retried with their original ts until the shop answers 200: give them a long $maxAge
 * and make their handling idempotent (the same orderId and status may arrive twice).
 */
function linepay_verify(array $fields, string $secret, int $maxAge = 900): bool
{
    $signature = $fields['signature'] ?? null;
    if (!is_string($signature) || !preg_match('/^[0-9a-f]{64}$/D', $signature)) {
        return false;
    }
    unset($fields['signature']);
    foreach ($fields as $value) {
        if (!is_string($value)) {
            return false; // a nested array (name[]=...) is never something we signed
        }
    }
    $ts = $fields['ts'] ?? '';
    if (!is_string($ts) || !preg_match('/^[0-9]{1,12}$/D', $ts)) {
        return false;
    }
    if ($maxAge > 0) {
        $age = time() - (int)$ts;
        if ($age > $maxAge || $age < -60) {
            return false;
        }
    }
    return hash_equals(linepay_sign($fields, $secret), $signature);
}
