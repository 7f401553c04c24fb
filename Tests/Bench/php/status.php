<?php
// Anchor for GET /status: start the session, look the order up once, answer JSON.
require __DIR__ . '/common.php';
session_start(['read_and_close' => false]);
$db = anchor_db();
$q = $db->prepare('SELECT order_id, state, transaction_id FROM orders WHERE order_id = ? AND session_id = ?');
$q->execute([$_GET['orderId'] ?? '', session_id()]);
$row = $q->fetch(PDO::FETCH_ASSOC);
header('Content-Type: application/json');
header('Cache-Control: no-store');
if (!$row) { http_response_code(404); echo '{"error":"not found"}'; exit; }
$out = ['orderId' => $row['order_id'], 'status' => $row['state']];
if ($row['transaction_id'] !== null) $out['transactionId'] = (string)$row['transaction_id'];
echo json_encode($out);
