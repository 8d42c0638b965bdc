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

// lowerProps maps a lower-cased property name to its canonical spelling:
// Graph matches property names in query options without regard to case.
var lowerProps = func() map[string]string {
	m := make(map[string]string, len(userProps))
	for name := range userProps {
		m[strings.ToLower(name)] = name
	}
	return m
}()

// canonicalProp returns the canonical name of a user property, matched
// case-insensitively, and whether it exists.
func canonicalProp(name string) (string, bool) {
	c, ok := lowerProps[strings.ToLower(name)]
	return c, ok
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

// unsetValue is what Graph renders for a property the object does not have:
// an empty array for collections, null otherwise.
func unsetValue(name string) any {
	switch userProps[name] {
	case kStrings, kComplexes:
		return []any{}
	}
	return nil
}

// validValue reports whether v (decoded from JSON) fits property name's kind.
// null fits every property except collections, which Graph never nulls.
func validValue(name string, v any) bool {
	k, ok := userProps[name]
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
