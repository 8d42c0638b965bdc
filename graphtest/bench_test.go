package graphtest

import (
	"io"
	"net/http"
	"testing"
)

// benchGet fetches u with a token, draining the body.
func benchGet(b *testing.B, u, token string, headers ...string) {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		b.Fatalf("status %d", res.StatusCode)
	}
}

// BenchmarkListPage serves one page of 100 users from a directory of
// 100,000, deep into the listing.
func BenchmarkListPage(b *testing.B) {
	s := NewServer(Options{Users: 100_000, MaxRecorded: -1})
	defer s.Close()
	tok := s.Token()
	u := s.GraphURL + "/users?$skiptoken=" + encodeToken("o", 90_000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		benchGet(b, u, tok)
	}
}

// BenchmarkListPageParallel is the same under concurrent clients.
func BenchmarkListPageParallel(b *testing.B) {
	s := NewServer(Options{Users: 10_000, MaxRecorded: -1})
	defer s.Close()
	tok := s.Token()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			benchGet(b, s.GraphURL+"/users", tok)
		}
	})
}

// BenchmarkFilteredCount scans 100,000 users with a $filter.
func BenchmarkFilteredCount(b *testing.B) {
	s := NewServer(Options{Users: 100_000, MaxRecorded: -1})
	defer s.Close()
	tok := s.Token()
	u := s.GraphURL + "/users/$count?$filter=startswith(displayName,'Ad')%20and%20city%20eq%20'Paris'"
	b.ResetTimer()
	for b.Loop() {
		benchGet(b, u, tok, "ConsistencyLevel", "eventual")
	}
}

// BenchmarkSeed100k measures seeding a directory of 100,000 users.
func BenchmarkSeed100k(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		s := NewServer(Options{Users: 100_000})
		s.Close()
	}
}
