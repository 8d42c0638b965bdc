package graphtest

import (
	"testing"
	"time"

	"github.com/typedgraph/graph/gen"
	"github.com/typedgraph/graph/nullable"
)

func TestPropertiesOf(t *testing.T) {
	type uuid [16]byte
	type widget struct {
		ODataType *string                               `json:"@odata.type,omitempty"`
		ID        *string                               `json:"id,omitempty"`
		Name      nullable.Nullable[string]             `json:"displayName,omitzero"`
		Key       nullable.Nullable[uuid]               `json:"keyId,omitzero"`
		On        *bool                                 `json:"enabled,omitempty"`
		Size      nullable.Nullable[int32]              `json:"size,omitzero"`
		When      nullable.Nullable[time.Time]          `json:"createdDateTime,omitzero"`
		Tags      []string                              `json:"tags,omitzero"`
		Parts     []struct{ A string }                  `json:"parts,omitzero"`
		Web       nullable.Nullable[struct{ B string }] `json:"web,omitzero"`
		skipped   string
		Untagged  string `json:"-"`
	}
	want := map[string]Kind{"displayName": KindString, "keyId": KindString, "enabled": KindBool, "size": KindInt,
		"createdDateTime": KindDateTime, "tags": KindStrings, "parts": KindObjects, "web": KindObject}
	got := PropertiesOf[widget]()
	if len(got) != len(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: kind %d, want %d", k, got[k], v)
		}
	}
	_ = widget{}.skipped

	// The generated user, against the fake's own hand-written table.
	user := PropertiesOf[gen.MicrosoftGraphUser]()
	for name, k := range userProps {
		if name == "id" {
			continue
		}
		if g, ok := user[name]; ok && g != Kind(k) {
			t.Errorf("user.%s: PropertiesOf says %d, the fake's table %d", name, g, k)
		}
	}
}
