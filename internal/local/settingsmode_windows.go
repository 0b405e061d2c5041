package local

// SettingsWorldReadable is always false on Windows. Go reports every file there as 0666 whatever
// its ACL, so the Unix check would warn on every command; and the configuration directory under
// %AppData% inherits the profile's ACL (the user, SYSTEM, Administrators), which other users
// cannot read unless someone widened it on purpose. The file holds no secret.
func SettingsWorldReadable(string) bool { return false }
