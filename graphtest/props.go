package graphtest

import "strings"

// kind is the wire shape of a user property, enough to validate writes,
// evaluate filters and render unset values the way Graph does.
type kind uint8

const (
	kString kind = iota
	kBool
	kInt
	kDateTime
	kStrings   // Collection(Edm.String)
	kComplexes // Collection(complex type)
	kComplex   // a single complex type
)

// userProps lists every structural property of microsoft.graph.user
// (including those inherited from entity and directoryObject) with its kind.
var userProps = map[string]kind{
	"id":              kString,
	"deletedDateTime": kDateTime,

	"aboutMe": kString, "ageGroup": kString, "city": kString, "companyName": kString,
	"consentProvidedForMinor": kString, "country": kString, "creationType": kString,
	"department": kString, "displayName": kString, "employeeId": kString, "employeeType": kString,
	"externalUserState": kString, "faxNumber": kString, "givenName": kString,
	"identityParentId": kString, "jobTitle": kString, "legalAgeGroupClassification": kString,
	"mail": kString, "mailNickname": kString, "mobilePhone": kString, "mySite": kString,
	"officeLocation": kString, "onPremisesDistinguishedName": kString,
	"onPremisesDomainName": kString, "onPremisesImmutableId": kString,
	"onPremisesSamAccountName": kString, "onPremisesSecurityIdentifier": kString,
	"onPremisesUserPrincipalName": kString, "passwordPolicies": kString, "postalCode": kString,
	"preferredDataLocation": kString, "preferredLanguage": kString, "preferredName": kString,
	"securityIdentifier": kString, "state": kString, "streetAddress": kString, "surname": kString,
	"usageLocation": kString, "userPrincipalName": kString, "userType": kString,

	"accountEnabled": kBool, "isManagementRestricted": kBool, "isResourceAccount": kBool,
	"onPremisesSyncEnabled": kBool, "showInAddressList": kBool,

	"deviceEnrollmentLimit": kInt,

	"birthday": kDateTime, "createdDateTime": kDateTime, "employeeHireDate": kDateTime,
	"employeeLeaveDateTime": kDateTime, "externalUserStateChangeDateTime": kDateTime,
	"hireDate": kDateTime, "lastPasswordChangeDateTime": kDateTime,
	"onPremisesLastSyncDateTime": kDateTime, "signInSessionsValidFromDateTime": kDateTime,

	"businessPhones": kStrings, "imAddresses": kStrings, "interests": kStrings,
	"otherMails": kStrings, "pastProjects": kStrings, "proxyAddresses": kStrings,
	"responsibilities": kStrings, "schools": kStrings, "skills": kStrings,

	"assignedLicenses": kComplexes, "assignedPlans": kComplexes, "identities": kComplexes,
	"licenseAssignmentStates": kComplexes, "onPremisesProvisioningErrors": kComplexes,
	"provisionedPlans": kComplexes, "serviceProvisioningErrors": kComplexes,

	"authorizationInfo": kComplex, "customSecurityAttributes": kComplex,
	"employeeOrgData": kComplex, "mailboxSettings": kComplex,
	"onPremisesExtensionAttributes": kComplex, "passwordProfile": kComplex,
	"print": kComplex, "signInActivity": kComplex,
}

// defaultSelect is the property set Graph returns for a user when the
// request has no $select.
var defaultSelect = []string{
	"businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
	"officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id",
}

// requiredOnCreate are the properties POST /users insists on.
var requiredOnCreate = []string{
	"accountEnabled", "displayName", "mailNickname", "passwordProfile", "userPrincipalName",
}

// unset is what Graph renders for a property the object does not have: an
// empty array for collections, null otherwise.
func (t *entityType) unset(name string) any {
	switch t.props[name] {
	case kStrings, kComplexes:
		return []any{}
	}
	return nil
}

// valid reports whether v (decoded from JSON) fits property name's kind.
// null fits every property except collections, which Graph never nulls.
func (t *entityType) valid(name string, v any) bool {
	k, ok := t.props[name]
	if !ok {
		return false
	}
	if v == nil {
		return k != kStrings && k != kComplexes
	}
	switch k {
	case kString:
		_, ok = v.(string)
	case kBool:
		_, ok = v.(bool)
	case kInt:
		f, isNum := v.(float64)
		ok = isNum && f == float64(int32(f))
	case kDateTime:
		s, isStr := v.(string)
		ok = isStr && parseDateTime(s) != nil
	case kStrings:
		var arr []any
		arr, ok = v.([]any)
		for _, e := range arr {
			if _, isStr := e.(string); !isStr && e != nil {
				return false
			}
		}
	case kComplexes:
		var arr []any
		arr, ok = v.([]any)
		for _, e := range arr {
			if _, isObj := e.(map[string]any); !isObj {
				return false
			}
		}
	case kComplex:
		_, ok = v.(map[string]any)
	}
	return ok
}

// singleOnly are the properties Graph returns only when reading one user;
// selecting them on a list is refused.
var singleOnly = map[string]bool{
	"aboutMe": true, "birthday": true, "hireDate": true, "interests": true, "mySite": true,
	"pastProjects": true, "preferredName": true, "responsibilities": true, "schools": true,
	"skills": true, "mailboxSettings": true,
}

// entityType is what the fake knows of one entity type it serves: its
// structural properties and how Graph renders and checks them. Its fields
// are set once, at package initialisation, and only read afterwards.
type entityType struct {
	name       string            // the type, e.g. "microsoft.graph.user"
	set        string            // the entity set, e.g. "users"
	props      map[string]kind   // every structural property, inherited ones included
	lower      map[string]string // lower-cased name -> canonical name
	defaults   []string          // what a read without $select returns
	required   []string          // what POST insists on
	singleOnly map[string]bool   // properties only a read of one object returns
}

func newEntityType(name, set string, props map[string]kind, defaults, required []string, singleOnly map[string]bool) *entityType {
	t := &entityType{name: name, set: set, props: props, defaults: defaults, required: required, singleOnly: singleOnly,
		lower: make(map[string]string, len(props))}
	for p := range props {
		t.lower[strings.ToLower(p)] = p
	}
	return t
}

// resource is the type's name as Graph's messages spell it ("User").
func (t *entityType) resource() string {
	n := t.name[strings.LastIndexByte(t.name, '.')+1:]
	return strings.ToUpper(n[:1]) + n[1:]
}

// canonical returns the canonical name of a property, matched
// case-insensitively as Graph matches names in query options, and whether it
// exists.
func (t *entityType) canonical(name string) (string, bool) {
	c, ok := t.lower[strings.ToLower(name)]
	return c, ok
}

// userType is microsoft.graph.user.
var userType = newEntityType("microsoft.graph.user", "users", userProps, defaultSelect, requiredOnCreate, singleOnly)

// groupType is microsoft.graph.group.
var groupType = newEntityType("microsoft.graph.group", "groups", groupProps, groupDefaultSelect, groupRequiredOnCreate, groupSingleOnly)

// groupProps lists every structural property of microsoft.graph.group
// (including those inherited from entity and directoryObject) with its kind.
var groupProps = map[string]kind{
	"id":              kString,
	"deletedDateTime": kDateTime,

	"classification": kString, "description": kString, "displayName": kString, "mail": kString,
	"mailNickname": kString, "membershipRule": kString, "membershipRuleProcessingState": kString,
	"onPremisesDomainName": kString, "onPremisesNetBiosName": kString, "onPremisesSamAccountName": kString,
	"onPremisesSecurityIdentifier": kString, "preferredDataLocation": kString, "preferredLanguage": kString,
	"securityIdentifier": kString, "theme": kString, "uniqueName": kString, "visibility": kString,
	"accessType": kString, "organizationId": kString,

	"allowExternalSenders": kBool, "autoSubscribeNewMembers": kBool, "hasMembersWithLicenseErrors": kBool,
	"hideFromAddressLists": kBool, "hideFromOutlookClients": kBool, "isArchived": kBool,
	"isAssignableToRole": kBool, "isManagementRestricted": kBool, "isSubscribedByMail": kBool,
	"mailEnabled": kBool, "onPremisesSyncEnabled": kBool, "securityEnabled": kBool,
	"isFavorite": kBool, "welcomeMessageEnabled": kBool,

	"unseenCount": kInt, "unseenConversationsCount": kInt, "unseenMessagesCount": kInt,

	"createdDateTime": kDateTime, "expirationDateTime": kDateTime, "onPremisesLastSyncDateTime": kDateTime,
	"renewedDateTime": kDateTime,

	"groupTypes": kStrings, "proxyAddresses": kStrings, "infoCatalogs": kStrings,
	"resourceBehaviorOptions": kStrings, "resourceProvisioningOptions": kStrings,

	"assignedLabels": kComplexes, "assignedLicenses": kComplexes, "onPremisesProvisioningErrors": kComplexes,
	"serviceProvisioningErrors": kComplexes,

	"licenseProcessingState": kComplex, "onPremisesExtensionAttributes": kComplex,
}

// groupDefaultSelect is the property set Graph returns for a group when the
// request has no $select.
var groupDefaultSelect = []string{
	"id", "deletedDateTime", "classification", "createdDateTime", "description", "displayName",
	"expirationDateTime", "groupTypes", "isAssignableToRole", "mail", "mailEnabled", "mailNickname",
	"membershipRule", "membershipRuleProcessingState", "onPremisesDomainName", "onPremisesLastSyncDateTime",
	"onPremisesNetBiosName", "onPremisesSamAccountName", "onPremisesSecurityIdentifier",
	"onPremisesSyncEnabled", "preferredDataLocation", "preferredLanguage", "proxyAddresses",
	"renewedDateTime", "securityEnabled", "securityIdentifier", "theme", "uniqueName", "visibility",
	"onPremisesProvisioningErrors", "serviceProvisioningErrors",
}

// groupRequiredOnCreate are the properties POST /groups insists on.
var groupRequiredOnCreate = []string{"displayName", "mailEnabled", "mailNickname", "securityEnabled"}

// groupSingleOnly are the group properties Graph returns only when reading
// one group.
var groupSingleOnly = map[string]bool{
	"allowExternalSenders": true, "autoSubscribeNewMembers": true, "hideFromAddressLists": true,
	"hideFromOutlookClients": true, "isSubscribedByMail": true, "unseenCount": true,
}
