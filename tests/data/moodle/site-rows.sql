-- The rows of a fresh install that cohort-sync relies on, with the ids Moodle gives them.
-- Fixed timestamps (2024-10-07) keep table checksums stable between runs. Each sequence then
-- restarts past its rows, as Moodle's own getResetSequenceSQL() does.

INSERT INTO mdl_config (id, name, value) VALUES
    (1, 'mnet_localhost_id', '1'),
    (2, 'siteguest', '1'),
    (3, 'siteadmins', '2'),
    (4, 'enrol_plugins_enabled', 'manual,guest,self,cohort'),
    (5, 'version', '@VERSION@'),
    (6, 'release', '@RELEASE@'),
    (7, 'branch', '@BRANCH@'),
    (8, 'lang', 'en'),
    (9, 'allowcohortthemes', '0'),
    -- No authentication plugin enabled beyond manual and nologin, which are always available;
    -- a test that provisions accounts enables the plugin it uses.
    (10, 'auth', ''),
    -- "Default country" left at "Select a country", which Moodle stores as '0'.
    (11, 'country', '0');
ALTER SEQUENCE mdl_config_id_seq RESTART WITH 12;

INSERT INTO mdl_config_plugins (id, plugin, name, value) VALUES
    (1, 'enrol_cohort', 'version', '@PLUGIN_VERSION@'),
    (2, 'enrol_cohort', 'roleid', '5'),
    (3, 'enrol_cohort', 'unenrolaction', '0'),
    -- The installed authentication plugins (CAS and MNet only before 5.0).
@AUTH_PLUGIN_ROWS@;
ALTER SEQUENCE mdl_config_plugins_id_seq RESTART WITH @CONFIG_PLUGINS_NEXT@;

-- Levels: 10 system, 30 user, 40 course category, 50 course.
INSERT INTO mdl_context (id, contextlevel, instanceid, path, depth, locked) VALUES
    (1, 10, 0, '/1', 1, 0),
    (2, 50, 1, '/1/2', 2, 0),
    (3, 40, 1, '/1/3', 2, 0),
    (4, 30, 1, '/1/4', 2, 0),
    (5, 30, 2, '/1/5', 2, 0);
ALTER SEQUENCE mdl_context_id_seq RESTART WITH 6;

-- The password hashes are of throwaway values: nobody logs in to this database through Moodle.
INSERT INTO mdl_user (id, auth, confirmed, mnethostid, username, password, firstname, lastname, email,
                      description, lang, maildisplay, timecreated, timemodified)
VALUES
    (1, 'manual', 1, 1, 'guest',
     '$6$rounds=10000$CohortSyncGuest0$oom5SHaJ/KVhmjNp1t3B6npawPf4FtNLyP2Decv4Ox33AdxJ56sERn1JD2H2hQump4MeW2juJfz5m3Da3ayah.',
     'Guest user', ' ', 'root@localhost',
     'This user is a special user that allows read-only access to some courses.', 'en', 2, 0, 1728288000),
    (2, 'manual', 1, 1, 'admin',
     '$6$rounds=10000$CohortSyncAdmin0$r7VoCzOm0qh3Ald07uIUtgM6K5ohT84IW/P90lPDT2Muhy9oNXr5lbGIHxjo8L7DwjWOOOeXOVeHwsZxd9EIK1',
     'Admin', 'User', 'admin@univ-test.fr', NULL, 'en', 1, 0, 1728288000);
ALTER SEQUENCE mdl_user_id_seq RESTART WITH 3;

-- Empty names and descriptions: Moodle shows the localised strings of the archetype.
INSERT INTO mdl_role (id, name, shortname, description, sortorder, archetype) VALUES
    (1, '', 'manager', '', 1, 'manager'),
    (2, '', 'coursecreator', '', 2, 'coursecreator'),
    (3, '', 'editingteacher', '', 3, 'editingteacher'),
    (4, '', 'teacher', '', 4, 'teacher'),
    (5, '', 'student', '', 5, 'student'),
    (6, '', 'guest', '', 6, 'guest'),
    (7, '', 'user', '', 7, 'user'),
    (8, '', 'frontpage', '', 8, 'frontpage');
ALTER SEQUENCE mdl_role_id_seq RESTART WITH 9;

-- Course 1 is the front page ("site"), not a real course: category 0, format 'site'.
INSERT INTO mdl_course (id, category, sortorder, fullname, shortname, idnumber, summary, format,
                        newsitems, timecreated, timemodified)
VALUES (1, 0, 1, 'Université de Test', 'univ-test', '', '', 'site', 3, 1728288000, 1728288000);
ALTER SEQUENCE mdl_course_id_seq RESTART WITH 2;

COMMIT;
