<?php
// The PHP anchor's shared part: what a PHP shop plugin does per request (a PDO connection to SQLite in WAL with
// synchronous=FULL, a busy timeout), so `make bench` compares like with like. Not shipped; only the bench uses it.
function anchor_db(): PDO {
    $db = new PDO('sqlite:' . getenv('ANCHOR_DB'), null, null, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
    $db->exec('PRAGMA busy_timeout = 5000');
    $db->exec('PRAGMA synchronous = FULL');   // the same durability as linepay-fcgi: an fsync per commit
    $db->exec('PRAGMA foreign_keys = ON');
    return $db;
}
