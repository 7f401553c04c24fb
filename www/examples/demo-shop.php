<?php
/*
 * The demo shop of `make run`: pick products, see the order, press "Pay with LINE Pay". The last step is the
 * signed form from linepay-handoff.php posting to the responder's /linepay/checkout; the shopper comes back
 * to return.php, and the responder tells notify.php.
 */

declare(strict_types=1);

require __DIR__ . '/demo-common.php';

$products = demo_products();
$locales = ['' => 'from the browser', 'en' => 'English', 'ja' => '日本語', 'zh_TW' => '繁體中文', 'th' => 'ไทย'];
$error = '';
$quantities = is_array($_POST['qty'] ?? null) ? $_POST['qty'] : [];

if (($_SERVER['REQUEST_METHOD'] ?? 'GET') === 'POST') {
    $items = [];
    $goods = 0;
    foreach ($products as $id => $product) {
        $q = $quantities[$id] ?? '0';
        if (!is_string($q) || !preg_match('/^[0-9]{1,2}$/D', $q)) {
            $error = 'Quantities are whole numbers from 0 to 99.';
            break;
        }
        if ((int)$q > 0) {
            $items[] = ['id' => $id, 'name' => $product['name'], 'price' => $product['price'], 'quantity' => (int)$q];
            $goods += $product['price'] * (int)$q;
        }
    }
    $locale = is_string($_POST['locale'] ?? null) && isset($locales[$_POST['locale']]) ? $_POST['locale'] : '';
    if ($error === '' && $items === []) {
        $error = 'Pick at least one product.';
    }
    if ($error === '') {
        $shipping = demo_shipping_fee($goods);
        $order = [
            'orderId'     => 'demo-' . bin2hex(random_bytes(4)),   // a new order for every checkout
            'currency'    => 'TWD',
            'amount'      => $goods + $shipping,
            'shippingFee' => $shipping,
            'locale'      => $locale,
            'items'       => $items,
        ];
        $rows = '';
        foreach ($items as $item) {
            $rows .= '<tr><td>' . h($item['name']) . '</td><td class="n">' . h($item['quantity']) . '</td><td class="n">'
                   . h($item['price'] * $item['quantity']) . '</td></tr>';
        }
        $rows .= '<tr><td>Shipping</td><td></td><td class="n">' . h($shipping) . '</td></tr>'
               . '<tr><th>Total (TWD)</th><th></th><th class="n">' . h($order['amount']) . '</th></tr>';
        demo_page('Your order ' . $order['orderId'],
            '<table><tr><th>Product</th><th class="n">Qty</th><th class="n">TWD</th></tr>' . $rows . '</table>'
            . '<p class="note">The button posts the order, signed with the handoff secret, to '
            . h(demo_checkout_url()) . ' (the linepay-fcgi responder). The signed form is valid for 15 minutes.</p>'
            . linepay_checkout_form($order, demo_secret(), demo_checkout_url())
            . '<p><a href="demo-shop.php">Change the order</a></p>');
        exit;
    }
}

$rows = '';
foreach ($products as $id => $product) {
    $rows .= '<tr><td><label for="q-' . h($id) . '">' . h($product['name']) . '</label></td><td class="n">'
           . h($product['price']) . '</td><td class="n"><input type="number" min="0" max="99" value="'
           . h(is_string($quantities[$id] ?? null) ? $quantities[$id] : '0') . '" id="q-' . h($id) . '" name="qty[' . h($id) . ']"></td></tr>';
}
$options = '';
foreach ($locales as $value => $label) {
    $options .= '<option value="' . h($value) . '">' . h($label) . '</option>';
}
demo_page('Tea and snacks',
    ($error !== '' ? '<p class="bad">' . h($error) . '</p>' : '')
    . '<form method="post" action="demo-shop.php"><table><tr><th>Product</th><th class="n">TWD</th><th class="n">Qty</th></tr>'
    . $rows . '</table>'
    . '<p class="note">Shipping 60 TWD, free from 500 TWD.</p>'
    . '<p><label>Payment pages in <select name="locale">' . $options . '</select></label></p>'
    . '<p><button type="submit">Check out</button></p></form>'
    . '<p class="note">Payments go to the local LINE Pay sandbox: nothing is charged.</p>');
