package specslice

import (
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// deriveOperationID names an operation lowerCamelCase verb + noun from its method and path (rule 11):
//
//	GET /users                                   listUsers
//	POST /users                                  createUser
//	GET, PATCH, DELETE /users/{user-id}          getUser, updateUser, deleteUser
//	GET /users/$count                            countUsers
//	GET /users/delta()                           deltaUsers
//	GET /users/{user-id}/memberOf                listUserMemberOf
//	POST /groups/{group-id}/members/$ref         addGroupMember
//	DELETE /groups/{group-id}/members/{id}/$ref  removeGroupMember
//	GET /users/{user-id}/memberOf/microsoft.graph.group  listUserMemberOfAsGroup
//
// A collection is told from a single-valued segment by the operation itself: x-ms-pageable or a
// *CollectionResponse reply.
func deriveOperationID(method, path string, op *yaml.Node) string {
	segs := strings.FieldsFunc(path, func(r rune) bool { return r == '/' })
	if len(segs) == 0 {
		return strings.ToLower(method) + "Root"
	}
	last := segs[len(segs)-1]
	body := segs[:len(segs)-1]
	switch {
	case last == "$count":
		return "count" + nouns(body, false)
	case last == "$value":
		return verbFor(method) + nouns(body, false) + "Content"
	case last == "$ref":
		endsWithKey := len(body) > 0 && isKey(body[len(body)-1])
		switch method {
		case "POST":
			return "add" + nouns(body, true)
		case "DELETE":
			return "remove" + nouns(body, !endsWithKey)
		case "PUT":
			return "set" + nouns(body, false)
		default:
			if !endsWithKey && isCollection(op) {
				return "list" + nouns(body, true) + "Refs"
			}
			return "get" + nouns(body, false) + "Ref"
		}
	case isKey(last):
		return verbFor(method) + nouns(segs, false)
	case strings.Contains(last, "(") || isBoundOperation(op):
		name, _, _ := strings.Cut(last, "(")
		name = name[strings.LastIndex(name, ".")+1:]
		verb, rest := splitVerb(name)
		return verb + nouns(body, false) + rest
	default:
		switch method {
		case "GET":
			if isCollection(op) {
				return "list" + nouns(segs, false)
			}
			return "get" + nouns(segs, false)
		case "POST":
			return "create" + nouns(segs, true)
		default:
			return verbFor(method) + nouns(segs, false)
		}
	}
}

func verbFor(method string) string {
	switch method {
	case "GET":
		return "get"
	case "PATCH":
		return "update"
	case "PUT":
		return "set"
	case "DELETE":
		return "delete"
	case "POST":
		return "create"
	default:
		return strings.ToLower(method)
	}
}

// nouns joins the path's segments into an UpperCamel noun: a segment followed by a key is
// singular (users/{user-id} -> User), the last one stays as written unless singularLast.
func nouns(segs []string, singularLast bool) string {
	var b strings.Builder
	for i, s := range segs {
		if isKey(s) || s == "$count" || s == "$ref" || s == "$value" {
			continue
		}
		followedByKey := i+1 < len(segs) && isKey(segs[i+1])
		last := i == len(segs)-1
		name, _, _ := strings.Cut(s, "(")
		if cast, ok := strings.CutPrefix(name, "microsoft.graph."); ok && !strings.Contains(s, "(") {
			b.WriteString("As" + upperFirst(ident(cast[strings.LastIndex(cast, ".")+1:])))
			continue
		}
		name = name[strings.LastIndex(name, ".")+1:]
		if followedByKey || (last && singularLast) {
			name = singular(name)
		}
		b.WriteString(upperFirst(ident(name)))
	}
	return b.String()
}

func isKey(s string) bool { return strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") }

func isBoundOperation(op *yaml.Node) bool {
	t := scalar(mapGet(op, "x-ms-docs-operation-type"))
	return t == "action" || t == "function"
}

func isCollection(op *yaml.Node) bool {
	if mapGet(op, "x-ms-pageable") != nil {
		return true
	}
	rs := mapGet(op, "responses")
	for i := 0; i+1 < len(rs.Content); i += 2 {
		code := rs.Content[i].Value
		if !strings.HasPrefix(code, "2") {
			continue
		}
		if ref := scalar(mapGet(rs.Content[i+1], "$ref")); strings.HasSuffix(ref, "CollectionResponse") {
			return true
		}
	}
	return false
}

// splitVerb splits a bound operation's name at its first upper-case letter:
// assignLicense -> assign, License; delta -> delta, "".
func splitVerb(name string) (verb, rest string) {
	name = ident(name)
	for i, r := range name {
		if i > 0 && unicode.IsUpper(r) {
			return lowerFirst(name[:i]), name[i:]
		}
	}
	return lowerFirst(name), ""
}

func singular(s string) string {
	switch {
	case strings.HasSuffix(s, "ies") && len(s) > 3:
		return s[:len(s)-3] + "y"
	case strings.HasSuffix(s, "sses"), strings.HasSuffix(s, "shes"), strings.HasSuffix(s, "ches"), strings.HasSuffix(s, "xes"):
		return s[:len(s)-2]
	case strings.HasSuffix(s, "ss"):
		return s
	case strings.HasSuffix(s, "s") && len(s) > 1:
		return s[:len(s)-1]
	}
	return s
}

// ident keeps letters and digits, upper-casing the letter after anything else.
func ident(s string) string {
	var b strings.Builder
	up := false
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			up = b.Len() > 0
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
