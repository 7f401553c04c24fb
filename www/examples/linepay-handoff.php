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
 *   // return_url page (the shopper comes back): what to show, never what to ship.
 *   if (!linepay_verify_return($_GET, $secret)) { http_response_code(400); exit('bad signature'); }
 *
 *   // notify_url script (the responder POSTs every change): the only message that may move goods or money.
 *   if (!linepay_verify_notification($_POST, $secret)) { http_response_code(403); exit('bad signature'); }
 *   // Apply it only if $_POST['seq'] is higher than the last seq applied for $_POST['orderId']; answer 200 either way.
 *   // With 'shipping' => 'line' it also carries shippingMethodId, shippingFee and the shipTo* address fields.
 *
 *   // shipping_rules_url script (optional: the shop answers LINE Pay's ShippingMethods itself):
 *   if (!linepay_verify_shipping_inquiry($_POST, $secret)) { http_response_code(403); exit('bad signature'); }
 *   echo linepay_shipping_answer($_POST['country'] === 'TW' ? [['id' => 'home', 'name' => 'Home delivery', 'amount' => 80]] : []);
 */

declare(strict_types=1);

/**
 * The signature of a flat array of form fields: lower-case hex HMAC-SHA256 over the canonical string
 * (every field but 'signature', sorted by name bytewise, each rawurlencode(name)=rawurlencode(value), joined by &).
 * The same scheme signs the handoff (with the secret itself), the return link and the notifications (with
 * linepay_message_key's per-kind keys).
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
    // 'shipping' => 'line': LINE Pay collects the address and the shopper picks a method (no shippingFee then).
    foreach (['shippingFee', 'locale', 'shipping'] as $key) {
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
 * The key the responder signs one kind of its messages with ('return' or 'notification'): derived from the
 * handoff secret, so a return link (which every shopper holds) can never pass for a notification.
 */
function linepay_message_key(string $kind, string $secret): string
{
    return hash_hmac('sha256', "linepay-fcgi $kind v1", $secret);
}

/**
 * True when $get (the return_url page's $_GET) is a return link signed by the responder, with a ts no older than
 * $maxAge seconds (nor more than a minute ahead; 0 skips the time check). A notification is refused. The return
 * link says what to show the shopper; ship goods on notifications only.
 */
function linepay_verify_return(array $get, string $secret, int $maxAge = 900): bool
{
    return linepay_verify_message('return', $get, $secret, $maxAge);
}

/**
 * True when $post (the notify_url script's $_POST) is a notification signed by the responder: kind=notification,
 * digits in seq and eventId. A return link is refused. Notifications are retried with their original ts until
 * the shop answers 200, so there is no age limit by default: replays are caught by seq instead. Apply one only if
 * its seq is higher than the last seq you applied for its orderId (and answer 200 to the rest).
 */
function linepay_verify_notification(array $post, string $secret, int $maxAge = 0): bool
{
    foreach (['seq', 'eventId'] as $key) {
        if (!isset($post[$key]) || !is_string($post[$key]) || !preg_match('/^[1-9][0-9]{0,18}$/D', $post[$key])) {
            return false;
        }
    }
    return linepay_verify_message('notification', $post, $secret, $maxAge);
}

/**
 * True when $post (the shipping_rules_url script's $_POST) is the responder's signed ShippingMethods question
 * (kind=shipping: orderId, transactionId, currency, amount, country, postalCode, state, city, detail, ts), at
 * most $maxAge seconds old. LINE Pay waits 20 seconds for the whole answer: answer within a few.
 */
function linepay_verify_shipping_inquiry(array $post, string $secret, int $maxAge = 60): bool
{
    return linepay_verify_message('shipping', $post, $secret, $maxAge);
}

/**
 * The JSON answer in LINE Pay's format: 0000 with the methods ([['id' => ..., 'name' => ..., 'amount' => ...,
 * optional 'toDeliveryYmd' => 'YYYYMMDD', 'fromDeliveryHm' => 'HHmm', 'toDeliveryHm' => 'HHmm']]), or 4001
 * (no method serves the address) when $methods is empty; $code 4002 says the address is wrong.
 */
function linepay_shipping_answer(array $methods, string $code = '', string $message = ''): string
{
    if (!headers_sent()) {
        header('Content-Type: application/json');
    }
    $code = $code !== '' ? $code : ($methods === [] ? '4001' : '0000');
    $answer = ['returnCode' => $code, 'returnMessage' => $message !== '' ? $message : ($code === '0000' ? 'Success' : 'Unsupported shipping region')];
    if ($code === '0000') {
        $list = [];
        foreach ($methods as $m) {
            $one = ['id' => (string)$m['id'], 'name' => (string)$m['name'], 'amount' => (string)$m['amount']];
            foreach (['toDeliveryYmd', 'fromDeliveryHm', 'toDeliveryHm'] as $key) {
                if (isset($m[$key])) {
                    $one[$key] = (string)$m[$key];
                }
            }
            $list[] = $one;
        }
        $answer['info'] = ['shippingMethods' => $list];
    }
    return json_encode($answer, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES);
}

/** The check both share: the kind field, then linepay_verify_signed under the kind's key. */
function linepay_verify_message(string $kind, array $fields, string $secret, int $maxAge): bool
{
    return ($fields['kind'] ?? null) === $kind && linepay_verify_signed($fields, linepay_message_key($kind, $secret), $maxAge);
}

/**
 * True when $fields are flat strings with a ts no older than $maxAge seconds (0: any age) and a valid signature
 * under $key. The building block: shops call linepay_verify_return or linepay_verify_notification instead.
 */
function linepay_verify_signed(array $fields, string $key, int $maxAge): bool
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
    return hash_equals(linepay_sign($fields, $key), $signature);
}
