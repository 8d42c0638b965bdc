package graph_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/typedgraph/graph"
)

// membersPage returns a page of n group members as Graph sends it with
// $select=id,displayName,mail,userPrincipalName: users, with @odata.type first.
func membersPage(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#directoryObjects(id,displayName,mail,userPrincipalName)","value":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"@odata.type":"#microsoft.graph.user","id":"%08d-57a2-4bb6-9e6c-4f1a3c5b7d90","displayName":"User %d","mail":"user%d@contoso.example","userPrincipalName":"user%d@contoso.example"}`, i, i, i, i)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// BenchmarkDecodeMembers decodes the same page of 100 members three ways: into a plain struct of the
// selected properties (what a hand-written client does), into the generated User (as if the caller
// knew every member is a user), and into DirectoryItem, which finds each member's @odata.type and
// then decodes it once into a User. The last two differ by what typed directory objects cost.
func BenchmarkDecodeMembers(b *testing.B) {
	page := membersPage(100)
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(page)))
		for b.Loop() {
			var p struct {
				Value []struct {
					ODataType         *string `json:"@odata.type"`
					ID                *string `json:"id"`
					DisplayName       *string `json:"displayName"`
					Mail              *string `json:"mail"`
					UserPrincipalName *string `json:"userPrincipalName"`
				} `json:"value"`
			}
			if err := json.Unmarshal(page, &p); err != nil || len(p.Value) != 100 {
				b.Fatal(err)
			}
		}
	})
	b.Run("users", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(page)))
		for b.Loop() {
			var p struct {
				Value []graph.User `json:"value"`
			}
			if err := json.Unmarshal(page, &p); err != nil || len(p.Value) != 100 {
				b.Fatal(err)
			}
		}
	})
	b.Run("items", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(page)))
		for b.Loop() {
			var p struct {
				Value []graph.DirectoryItem `json:"value"`
			}
			if err := json.Unmarshal(page, &p); err != nil || len(p.Value) != 100 {
				b.Fatal(err)
			}
		}
	})
}
