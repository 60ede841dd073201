/// Builds the benchmark payloads: the same order as protobuf bytes and as JSON text.
enum BenchPayloads {
    struct Writer {
        var bytes: [UInt8] = []
        mutating func varint(_ v: UInt64) {
            var v = v
            while v >= 0x80 { bytes.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
            bytes.append(UInt8(v))
        }
        mutating func tag(_ field: Int, _ wt: UInt8) { varint(UInt64(field) << 3 | UInt64(wt)) }
        mutating func int(_ field: Int, _ v: Int64) { tag(field, 0); varint(UInt64(bitPattern: v)) }
        mutating func string(_ field: Int, _ s: String) { tag(field, 2); varint(UInt64(s.utf8.count)); bytes += Array(s.utf8) }
        mutating func message(_ field: Int, _ body: (inout Writer) -> Void) {
            var inner = Writer()
            body(&inner)
            tag(field, 2)
            varint(UInt64(inner.bytes.count))
            bytes += inner.bytes
        }
    }

    static func line(_ i: Int) -> (sku: String, quantity: Int, price: Int, title: String) {
        ("SKU-\(10_000 + i)", 1 + i % 5, 1299 + 100 * i, "Organic coffee beans \(i) kg")
    }

    static func protobuf(lines: Int) -> [UInt8] {
        var w = Writer()
        w.string(1, "ord-2024-000123")
        w.string(2, "cus-88412")
        w.int(3, 25_998)
        w.string(4, "EUR")
        w.int(5, 2)
        for i in 0..<lines {
            let l = line(i)
            w.message(6) { m in
                m.string(1, l.sku)
                m.int(2, Int64(l.quantity))
                m.int(3, Int64(l.price))
                m.string(4, l.title)
            }
        }
        for (k, v) in [("channel", "web"), ("region", "eu-west-1")] {
            w.message(7) { m in m.string(1, k); m.string(2, v) }
        }
        w.int(8, 1_732_612_345_000)
        w.int(9, 1)
        w.message(10) { a in
            a.string(1, "Hauptstrasse 12")
            a.string(2, "Berlin")
            a.string(3, "10115")
            a.string(4, "DE")
        }
        w.message(11) { p in for f in [1, 4, 9, 16] { p.varint(UInt64(f)) } }
        return w.bytes
    }

    static func json(lines: Int) -> String {
        var items: [String] = []
        for i in 0..<lines {
            let l = line(i)
            items.append(#"{"sku":"\#(l.sku)","quantity":\#(l.quantity),"unitPriceMinor":"\#(l.price)","title":"\#(l.title)"}"#)
        }
        return #"{"orderId":"ord-2024-000123","customerId":"cus-88412","amountMinor":"25998","currency":"EUR","status":"STATUS_PAID","lines":[\#(items.joined(separator: ","))],"labels":{"channel":"web","region":"eu-west-1"},"createdAt":"1732612345000","gift":true,"shipping":{"street":"Hauptstrasse 12","city":"Berlin","postalCode":"10115","country":"DE"},"flags":[1,4,9,16]}"#
    }

    /// The JSON Schema matching ``json(lines:)`` (proto3 JSON mapping: 64-bit integers as strings).
    static let jsonSchema = #"""
    {
      "$schema": "https://json-schema.org/draft/2020-12/schema",
      "type": "object",
      "additionalProperties": false,
      "required": ["orderId", "customerId", "amountMinor", "currency", "status", "lines"],
      "properties": {
        "orderId": {"type": "string", "pattern": "^ord-[0-9]{4}-[0-9]{6}$"},
        "customerId": {"type": "string", "minLength": 1, "maxLength": 64},
        "amountMinor": {"type": "string", "pattern": "^-?[0-9]+$"},
        "currency": {"enum": ["EUR", "USD", "GBP"]},
        "status": {"enum": ["STATUS_UNSPECIFIED", "STATUS_NEW", "STATUS_PAID", "STATUS_SHIPPED"]},
        "lines": {"type": "array", "items": {"$ref": "#/$defs/line"}},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "createdAt": {"type": "string", "pattern": "^[0-9]+$"},
        "gift": {"type": "boolean"},
        "shipping": {"$ref": "#/$defs/address"},
        "flags": {"type": "array", "items": {"type": "integer", "minimum": -2147483648, "maximum": 2147483647}}
      },
      "$defs": {
        "line": {
          "type": "object",
          "additionalProperties": false,
          "required": ["sku", "quantity"],
          "properties": {
            "sku": {"type": "string", "pattern": "^SKU-[0-9]+$"},
            "quantity": {"type": "integer", "minimum": 0, "maximum": 4294967295},
            "unitPriceMinor": {"type": "string", "pattern": "^-?[0-9]+$"},
            "title": {"type": "string", "maxLength": 200}
          }
        },
        "address": {
          "type": "object",
          "properties": {
            "street": {"type": "string"}, "city": {"type": "string"},
            "postalCode": {"type": "string"}, "country": {"type": "string", "minLength": 2, "maxLength": 2}
          }
        }
      }
    }
    """#
}
