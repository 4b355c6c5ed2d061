package quote

import "testing"

func TestJSONToRecordAndBack(t *testing.T) {
	var q Quote
	line := `{"symbol":"AAPL","bid":189.12,"ask":"189.14","bid_size":300,"ask_size":200,"ts":1700000000123456789}`
	if err := ParseJSON([]byte(line), &q); err != nil {
		t.Fatal(err)
	}
	q.Seq = 42
	var rec [RecordSize]byte
	Encode(rec[:], &q)
	// Spot-check the documented offsets.
	if rec[0] != 1 || rec[2] != KindQuote || rec[8] != 42 || string(rec[48:52]) != "AAPL" || rec[52] != 0 {
		t.Fatalf("layout % x", rec)
	}
	var back Quote
	if err := Decode(rec[:], &back); err != nil || back != q {
		t.Fatalf("round trip %+v, %v; want %+v", back, err, q)
	}
	if q.BidE8 != 18912000000 || q.AskE8 != 18914000000 {
		t.Fatalf("prices %d %d", q.BidE8, q.AskE8)
	}
	if FormatPrice(q.BidE8) != "189.12" || FormatPrice(-5) != "-0.00000005" || FormatPrice(100000000) != "1.00" {
		t.Fatal(FormatPrice(q.BidE8), FormatPrice(-5))
	}
}

func TestRefusals(t *testing.T) {
	var q Quote
	for _, line := range []string{
		`{"symbol":"","bid":"1","ask":"1"}`,
		`{"symbol":"THIS_SYMBOL_IS_TOO_LONG","bid":"1","ask":"1"}`,
		`{"symbol":"X","bid":"1.123456789","ask":"1"}`,
		`{"symbol":"X","bid":"abc","ask":"1"}`,
		`not json`,
	} {
		if ParseJSON([]byte(line), &q) == nil {
			t.Errorf("accepted %s", line)
		}
	}
	if Decode(make([]byte, 63), &q) == nil || Decode(make([]byte, 64), &q) == nil {
		t.Fatal("Decode accepted a short or version-0 record")
	}
}
