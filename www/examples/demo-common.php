<?php
/*
 * Shared by the demo shop pages (demo-shop.php, return.php, notify.php) that `make run` serves at /shop/.
 * Settings come from the web server (nginx/demo.conf.in sets them with fastcgi_param), with demo defaults.
 */

declare(strict_types=1);

require __DIR__ . '/linepay-handoff.php';

/** A setting from the FastCGI parameters or the environment, else $default. */
function demo_setting(string $name, string $default): string
{
    $value = $_SERVER[$name] ?? getenv($name);
    return is_string($value) && $value !== '' ? $value : $default;
}

/** The handoff_secret of the demo linepay.conf. */
function demo_secret(): string
{
    return demo_setting('LINEPAY_HANDOFF_SECRET', 'demo-handoff-secret-0123456789');
}

/** Where the responder's checkout route is (the location block + /checkout). */
function demo_checkout_url(): string
{
    return demo_setting('LINEPAY_CHECKOUT_URL', '/linepay/checkout');
}

/** The file notify.php appends verified notifications to. */
function demo_notify_log(): string
{
    return demo_setting('LINEPAY_NOTIFY_LOG', sys_get_temp_dir() . '/linepay-demo-notify.log');
}

/** HTML-escapes a value for text and attributes. */
function h($value): string
{
    return htmlspecialchars((string)$value, ENT_QUOTES | ENT_SUBSTITUTE | ENT_HTML5, 'UTF-8');
}

/** The products of the demo shop, by id. Prices in TWD (whole dollars). */
function demo_products(): array
{
    return [
        'oolong'  => ['name' => '凍頂烏龍茶 Dong Ding oolong tea (150 g)', 'price' => 480],
        'boba'    => ['name' => '珍珠奶茶 Bubble milk tea', 'price' => 65],
        'thaitea' => ['name' => 'ชาไทย Thai iced tea', 'price' => 55],
        'matcha'  => ['name' => '抹茶クッキー Matcha cookies (12)', 'price' => 120],
    ];
}

/** Shipping: 60 TWD below 500 TWD of goods, free from 500 on. */
function demo_shipping_fee(int $goods): int
{
    return $goods >= 500 ? 0 : 60;
}

/** The page around $body. */
function demo_page(string $title, string $body): void
{
    header('Content-Type: text/html; charset=utf-8');
    header('Cache-Control: no-store');
    echo '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
         '<meta name="viewport" content="width=device-width, initial-scale=1">',
         '<title>', h($title), ' - Demo Tea Shop</title><style>',
         'body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222}',
         'table{border-collapse:collapse;width:100%}td,th{padding:.4rem;border-bottom:1px solid #ddd;text-align:left}',
         'td.n,th.n{text-align:right}input[type=number]{width:4rem}',
         'button{background:#06c755;color:#fff;border:0;border-radius:.4rem;padding:.7rem 1.4rem;font-size:1rem;cursor:pointer}',
         '.note{color:#666;font-size:.9rem}.ok{color:#06803a}.bad{color:#b00020}pre{background:#f4f4f4;padding:.6rem;overflow:auto}',
         '</style></head><body><header><a href="demo-shop.php">Demo Tea Shop</a></header><h1>', h($title), '</h1>',
         $body, '</body></html>';
}
