-- Moodle 4.5's tables that cohort-sync reads or writes, as a fresh Moodle 4.5 install creates
-- them on PostgreSQL, plus the rows such an install has that cohort-sync relies on.
--
-- The DDL applies the rules of Moodle's PostgreSQL driver (lib/ddl/postgres_sql_generator.php and
-- sql_generator.php: BIGSERIAL ids, DEFAULT '' on NOT NULL chars, unique keys as unique indexes,
-- foreign keys as plain indexes and never as constraints, index names cut to 30 characters with a
-- counter on collision, table comments cut to 250 characters) to the XMLDB definitions of
-- lib/db/install.xml and admin/tool/log/store/standard/db/install.xml of Moodle 4.5
-- (Build: 20241007, version 2024100700.00); a pg_dump of a real 4.5 install matched DDL made by
-- these rules. Change it only by the same rules: hand-tuned DDL would let tests pass against
-- a database Moodle never creates. mdl_course is the 4.5 definition (5.x widens fullname,
-- changes showactivitydates' default and adds enableaitools).
--
-- Not here: Moodle's other tables, among them mdl_course_categories (context 3 still points at
-- category 1, as in a real install) and mdl_user_lastaccess; block and front-page rows.
--
-- Plain SQL without psql meta-commands: load it with `psql -v ON_ERROR_STOP=1 -f`.

SET client_min_messages = warning;

BEGIN;

CREATE TABLE mdl_config (
    id BIGSERIAL,
    name VARCHAR(255) NOT NULL DEFAULT '',
    value TEXT NOT NULL,
CONSTRAINT mdl_conf_id_pk PRIMARY KEY (id)
);
COMMENT ON TABLE mdl_config IS 'Moodle configuration variables';
CREATE UNIQUE INDEX mdl_conf_nam_uix ON mdl_config (name);

CREATE TABLE mdl_config_plugins (
    id BIGSERIAL,
    plugin VARCHAR(100) NOT NULL DEFAULT 'core',
    name VARCHAR(100) NOT NULL DEFAULT '',
    value TEXT NOT NULL,
CONSTRAINT mdl_confplug_id_pk PRIMARY KEY (id)
);
COMMENT ON TABLE mdl_config_plugins IS 'Moodle modules and plugins configuration variables';
CREATE UNIQUE INDEX mdl_confplug_plunam_uix ON mdl_config_plugins (plugin, name);

CREATE TABLE mdl_context (
    id BIGSERIAL,
    contextlevel BIGINT NOT NULL DEFAULT 0,
    instanceid BIGINT NOT NULL DEFAULT 0,
    path VARCHAR(255),
    depth SMALLINT NOT NULL DEFAULT 0,
    locked SMALLINT NOT NULL DEFAULT 0,
CONSTRAINT mdl_cont_id_pk PRIMARY KEY (id)
);
COMMENT ON TABLE mdl_context IS 'one of these must be set';
CREATE UNIQUE INDEX mdl_cont_conins_uix ON mdl_context (contextlevel, instanceid);
CREATE INDEX mdl_cont_ins_ix ON mdl_context (instanceid);
CREATE INDEX mdl_cont_pat_ix ON mdl_context (path);
CREATE INDEX mdl_cont_pat_ix_pattern ON mdl_context USING btree (path varchar_pattern_ops);

CREATE TABLE mdl_user (
    id BIGSERIAL,
    auth VARCHAR(20) NOT NULL DEFAULT 'manual',
    confirmed SMALLINT NOT NULL DEFAULT 0,
    policyagreed SMALLINT NOT NULL DEFAULT 0,
    deleted SMALLINT NOT NULL DEFAULT 0,
    suspended SMALLINT NOT NULL DEFAULT 0,
    mnethostid BIGINT NOT NULL DEFAULT 0,
    username VARCHAR(100) NOT NULL DEFAULT '',
    password VARCHAR(255) NOT NULL DEFAULT '',
    idnumber VARCHAR(255) NOT NULL DEFAULT '',
    firstname VARCHAR(100) NOT NULL DEFAULT '',
    lastname VARCHAR(100) NOT NULL DEFAULT '',
    email VARCHAR(100) NOT NULL DEFAULT '',
    emailstop SMALLINT NOT NULL DEFAULT 0,
    phone1 VARCHAR(20) NOT NULL DEFAULT '',
    phone2 VARCHAR(20) NOT NULL DEFAULT '',
    institution VARCHAR(255) NOT NULL DEFAULT '',
    department VARCHAR(255) NOT NULL DEFAULT '',
    address VARCHAR(255) NOT NULL DEFAULT '',
    city VARCHAR(120) NOT NULL DEFAULT '',
    country VARCHAR(2) NOT NULL DEFAULT '',
    lang VARCHAR(30) NOT NULL DEFAULT 'en',
    calendartype VARCHAR(30) NOT NULL DEFAULT 'gregorian',
    theme VARCHAR(50) NOT NULL DEFAULT '',
    timezone VARCHAR(100) NOT NULL DEFAULT '99',
    firstaccess BIGINT NOT NULL DEFAULT 0,
    lastaccess BIGINT NOT NULL DEFAULT 0,
    lastlogin BIGINT NOT NULL DEFAULT 0,
    currentlogin BIGINT NOT NULL DEFAULT 0,
    lastip VARCHAR(45) NOT NULL DEFAULT '',
    secret VARCHAR(15) NOT NULL DEFAULT '',
    picture BIGINT NOT NULL DEFAULT 0,
    description TEXT,
    descriptionformat SMALLINT NOT NULL DEFAULT 1,
    mailformat SMALLINT NOT NULL DEFAULT 1,
    maildigest SMALLINT NOT NULL DEFAULT 0,
    maildisplay SMALLINT NOT NULL DEFAULT 2,
    autosubscribe SMALLINT NOT NULL DEFAULT 1,
    trackforums SMALLINT NOT NULL DEFAULT 0,
    timecreated BIGINT NOT NULL DEFAULT 0,
    timemodified BIGINT NOT NULL DEFAULT 0,
    trustbitmask BIGINT NOT NULL DEFAULT 0,
    imagealt VARCHAR(255),
    lastnamephonetic VARCHAR(255),
    firstnamephonetic VARCHAR(255),
    middlename VARCHAR(255),
    alternatename VARCHAR(255),
    moodlenetprofile VARCHAR(255),
CONSTRAINT mdl_user_id_pk PRIMARY KEY (id)
);
COMMENT ON TABLE mdl_user IS 'One record for each person';
CREATE UNIQUE INDEX mdl_user_mneuse_uix ON mdl_user (mnethostid, username);
CREATE INDEX mdl_user_del_ix ON mdl_user (deleted);
CREATE INDEX mdl_user_con_ix ON mdl_user (confirmed);
CREATE INDEX mdl_user_fir_ix ON mdl_user (firstname);
CREATE INDEX mdl_user_las_ix ON mdl_user (lastname);
CREATE INDEX mdl_user_cit_ix ON mdl_user (city);
CREATE INDEX mdl_user_cou_ix ON mdl_user (country);
CREATE INDEX mdl_user_las2_ix ON mdl_user (lastaccess);
CREATE INDEX mdl_user_ema_ix ON mdl_user (email);
CREATE INDEX mdl_user_aut_ix ON mdl_user (auth);
CREATE INDEX mdl_user_idn_ix ON mdl_user (idnumber);
CREATE INDEX mdl_user_fir2_ix ON mdl_user (firstnamephonetic);
CREATE INDEX mdl_user_las3_ix ON mdl_user (lastnamephonetic);
CREATE INDEX mdl_user_mid_ix ON mdl_user (middlename);
CREATE INDEX mdl_user_alt_ix ON mdl_user (alternatename);

CREATE TABLE mdl_role (
    id BIGSERIAL,
    name VARCHAR(255) NOT NULL DEFAULT '',
    shortname VARCHAR(100) NOT NULL DEFAULT '',
    description TEXT NOT NULL,
    sortorder BIGINT NOT NULL DEFAULT 0,
    archetype VARCHAR(30) NOT NULL DEFAULT '',
CONSTRAINT mdl_role_id_pk PRIMARY KEY (id)
);
COMMENT ON TABLE mdl_role IS 'moodle roles';
CREATE UNIQUE INDEX mdl_role_sor_uix ON mdl_role (sortorder);
CREATE UNIQUE INDEX mdl_role_sho_uix ON mdl_role (shortname);

CREATE TABLE mdl_role_assignments (
    id BIGSERIAL,
    roleid BIGINT NOT NULL DEFAULT 0,
    contextid BIGINT NOT NULL DEFAULT 0,
    userid BIGINT NOT NULL DEFAULT 0,
    timemodified BIGINT NOT NULL DEFAULT 0,
    modifierid BIGINT NOT NULL DEFAULT 0,
    component VARCHAR(100) NOT NULL DEFAULT '',
    itemid BIGINT NOT NULL DEFAULT 0,
    sortorder BIGINT NOT NULL DEFAULT 0,
CONSTRAINT mdl_roleassi_id_pk PRIMARY KEY (id)
);
COMMENT ON TABLE mdl_role_assignments IS 'assigning roles in different context';
CREATE INDEX mdl_roleassi_sor_ix ON mdl_role_assignments (sortorder);
CREATE INDEX mdl_roleassi_rolcon_ix ON mdl_role_assignments (roleid, contextid);
CREATE INDEX mdl_roleassi_useconrol_ix ON mdl_role_assignments (userid, contextid, roleid);
CREATE INDEX mdl_roleassi_comiteuse_ix ON mdl_role_assignments (component, itemid, userid);
CREATE INDEX mdl_roleassi_rol_ix ON mdl_role_assignments (roleid);
CREATE INDEX mdl_roleassi_con_ix ON mdl_role_assignments (contextid);
CREATE INDEX mdl_roleassi_use_ix ON mdl_role_assignments (userid);

CREATE TABLE mdl_course (
    id BIGSERIAL,
    category BIGINT NOT NULL DEFAULT 0,
    sortorder BIGINT NOT NULL DEFAULT 0,
    fullname VARCHAR(254) NOT NULL DEFAULT '',
    shortname VARCHAR(255) NOT NULL DEFAULT '',
    idnumber VARCHAR(100) NOT NULL DEFAULT '',
    summary TEXT,
    summaryformat SMALLINT NOT NULL DEFAULT 0,
    format VARCHAR(21) NOT NULL DEFAULT 'topics',
    showgrades SMALLINT NOT NULL DEFAULT 1,
    newsitems INTEGER NOT NULL DEFAULT 1,
    startdate BIGINT NOT NULL DEFAULT 0,
    enddate BIGINT NOT NULL DEFAULT 0,
    relativedatesmode SMALLINT NOT NULL DEFAULT 0,
    marker BIGINT NOT NULL DEFAULT 0,
    maxbytes BIGINT NOT NULL DEFAULT 0,
    legacyfiles SMALLINT NOT NULL DEFAULT 0,
    showreports SMALLINT NOT NULL DEFAULT 0,
    visible SMALLINT NOT NULL DEFAULT 1,
    visibleold SMALLINT NOT NULL DEFAULT 1,
    downloadcontent SMALLINT,
    groupmode SMALLINT NOT NULL DEFAULT 0,
    groupmodeforce SMALLINT NOT NULL DEFAULT 0,
    defaultgroupingid BIGINT NOT NULL DEFAULT 0,
    lang VARCHAR(30) NOT NULL DEFAULT '',
    calendartype VARCHAR(30) NOT NULL DEFAULT '',
    theme VARCHAR(50) NOT NULL DEFAULT '',
    timecreated BIGINT NOT NULL DEFAULT 0,
    timemodified BIGINT NOT NULL DEFAULT 0,
    requested SMALLINT NOT NULL DEFAULT 0,
    enablecompletion SMALLINT NOT NULL DEFAULT 0,
    completionnotify SMALLINT NOT NULL DEFAULT 0,
    cacherev BIGINT NOT NULL DEFAULT 0,
    originalcourseid BIGINT,
    showactivitydates SMALLINT NOT NULL DEFAULT 0,
    showcompletionconditions SMALLINT,
    pdfexportfont VARCHAR(50),
CONSTRAINT mdl_cour_id_pk PRIMARY KEY (id)
);
COMMENT ON TABLE mdl_course IS 'Central course table';
CREATE INDEX mdl_cour_cat_ix ON mdl_course (category);
CREATE INDEX mdl_cour_idn_ix ON mdl_course (idnumber);
CREATE INDEX mdl_cour_sho_ix ON mdl_course (shortname);
CREATE INDEX mdl_cour_sor_ix ON mdl_course (sortorder);
CREATE INDEX mdl_cour_ori_ix ON mdl_course (originalcourseid);

CREATE TABLE mdl_enrol (
    id BIGSERIAL,
    enrol VARCHAR(20) NOT NULL DEFAULT '',
    status BIGINT NOT NULL DEFAULT 0,
    courseid BIGINT NOT NULL,
    sortorder BIGINT NOT NULL DEFAULT 0,
    name VARCHAR(255),
    enrolperiod BIGINT DEFAULT 0,
    enrolstartdate BIGINT DEFAULT 0,
    enrolenddate BIGINT DEFAULT 0,
    expirynotify SMALLINT DEFAULT 0,
    expirythreshold BIGINT DEFAULT 0,
    notifyall SMALLINT DEFAULT 0,
    password VARCHAR(50),
    cost VARCHAR(20),
    currency VARCHAR(3),
    roleid BIGINT DEFAULT 0,
    customint1 BIGINT,
    customint2 BIGINT,
    customint3 BIGINT,
    customint4 BIGINT,
    customint5 BIGINT,
    customint6 BIGINT,
    customint7 BIGINT,
    customint8 BIGINT,
    customchar1 VARCHAR(255),
    customchar2 VARCHAR(255),
    customchar3 VARCHAR(1333),
    customdec1 NUMERIC(12,7),
    customdec2 NUMERIC(12,7),
    customtext1 TEXT,
    customtext2 TEXT,
    customtext3 TEXT,
    customtext4 TEXT,
    timecreated BIGINT NOT NULL DEFAULT 0,
    timemodified BIGINT NOT NULL DEFAULT 0,
CONSTRAINT mdl_enro_id_pk PRIMARY KEY (id)
);
COMMENT ON TABLE mdl_enrol IS 'Instances of enrolment plugins used in courses, fields marked as custom have a plugin defined meaning, core does not touch them. Create a new linked table if you need even more custom fields.';
CREATE INDEX mdl_enro_enr_ix ON mdl_enrol (enrol);
CREATE INDEX mdl_enro_cou_ix ON mdl_enrol (courseid);
CREATE INDEX mdl_enro_rol_ix ON mdl_enrol (roleid);

CREATE TABLE mdl_user_enrolments (
    id BIGSERIAL,
    status BIGINT NOT NULL DEFAULT 0,
    enrolid BIGINT NOT NULL,
    userid BIGINT NOT NULL,
    timestart BIGINT NOT NULL DEFAULT 0,
    timeend BIGINT NOT NULL DEFAULT 2147483647,
    modifierid BIGINT NOT NULL DEFAULT 0,
    timecreated BIGINT NOT NULL DEFAULT 0,
    timemodified BIGINT NOT NULL DEFAULT 0,
CONSTRAINT mdl_userenro_id_pk PRIMARY KEY (id)
);
COMMENT ON TABLE mdl_user_enrolments IS 'Users participating in courses (aka enrolled users) - everybody who is participating/visible in course, that means both teachers and students';
CREATE UNIQUE INDEX mdl_userenro_enruse_uix ON mdl_user_enrolments (enrolid, userid);
CREATE INDEX mdl_userenro_enr_ix ON mdl_user_enrolments (enrolid);
CREATE INDEX mdl_userenro_use_ix ON mdl_user_enrolments (userid);
CREATE INDEX mdl_userenro_mod_ix ON mdl_user_enrolments (modifierid);

CREATE TABLE mdl_cohort (
    id BIGSERIAL,
    contextid BIGINT NOT NULL,
    name VARCHAR(254) NOT NULL DEFAULT '',
    idnumber VARCHAR(100),
    description TEXT,
    descriptionformat SMALLINT NOT NULL,
    visible SMALLINT NOT NULL DEFAULT 1,
    component VARCHAR(100) NOT NULL DEFAULT '',
    timecreated BIGINT NOT NULL,
    timemodified BIGINT NOT NULL,
    theme VARCHAR(50),
CONSTRAINT mdl_coho_id_pk PRIMARY KEY (id)
);
COMMENT ON TABLE mdl_cohort IS 'Each record represents one cohort (aka site-wide group).';
CREATE INDEX mdl_coho_con_ix ON mdl_cohort (contextid);

CREATE TABLE mdl_cohort_members (
    id BIGSERIAL,
    cohortid BIGINT NOT NULL DEFAULT 0,
    userid BIGINT NOT NULL DEFAULT 0,
    timeadded BIGINT NOT NULL DEFAULT 0,
CONSTRAINT mdl_cohomemb_id_pk PRIMARY KEY (id)
);
COMMENT ON TABLE mdl_cohort_members IS 'Link a user to a cohort.';
CREATE UNIQUE INDEX mdl_cohomemb_cohuse_uix ON mdl_cohort_members (cohortid, userid);
CREATE INDEX mdl_cohomemb_coh_ix ON mdl_cohort_members (cohortid);
CREATE INDEX mdl_cohomemb_use_ix ON mdl_cohort_members (userid);

CREATE TABLE mdl_logstore_standard_log (
    id BIGSERIAL,
    eventname VARCHAR(255) NOT NULL DEFAULT '',
    component VARCHAR(100) NOT NULL DEFAULT '',
    action VARCHAR(100) NOT NULL DEFAULT '',
    target VARCHAR(100) NOT NULL DEFAULT '',
    objecttable VARCHAR(50),
    objectid BIGINT,
    crud VARCHAR(1) NOT NULL DEFAULT '',
    edulevel SMALLINT NOT NULL,
    contextid BIGINT NOT NULL,
    contextlevel BIGINT NOT NULL,
    contextinstanceid BIGINT NOT NULL,
    userid BIGINT NOT NULL,
    courseid BIGINT,
    relateduserid BIGINT,
    anonymous SMALLINT NOT NULL DEFAULT 0,
    other TEXT,
    timecreated BIGINT NOT NULL,
    origin VARCHAR(10),
    ip VARCHAR(45),
    realuserid BIGINT,
CONSTRAINT mdl_logsstanlog_id_pk PRIMARY KEY (id)
);
COMMENT ON TABLE mdl_logstore_standard_log IS 'Standard log table';
CREATE INDEX mdl_logsstanlog_tim_ix ON mdl_logstore_standard_log (timecreated);
CREATE INDEX mdl_logsstanlog_couanotim_ix ON mdl_logstore_standard_log (courseid, anonymous, timecreated);
CREATE INDEX mdl_logsstanlog_useconconcr_ix ON mdl_logstore_standard_log (userid, contextlevel, contextinstanceid, crud, edulevel, timecreated);
CREATE INDEX mdl_logsstanlog_con_ix ON mdl_logstore_standard_log (contextid);
CREATE INDEX mdl_logsstanlog_use_ix ON mdl_logstore_standard_log (userid);
CREATE INDEX mdl_logsstanlog_cou_ix ON mdl_logstore_standard_log (courseid);
CREATE INDEX mdl_logsstanlog_rea_ix ON mdl_logstore_standard_log (realuserid);
CREATE INDEX mdl_logsstanlog_rel_ix ON mdl_logstore_standard_log (relateduserid);

CREATE TABLE mdl_grade_items (
    id BIGSERIAL,
    courseid BIGINT,
    categoryid BIGINT,
    itemname VARCHAR(255),
    itemtype VARCHAR(30) NOT NULL DEFAULT '',
    itemmodule VARCHAR(30),
    iteminstance BIGINT,
    itemnumber BIGINT,
    iteminfo TEXT,
    idnumber VARCHAR(255),
    calculation TEXT,
    gradetype SMALLINT NOT NULL DEFAULT 1,
    grademax NUMERIC(10,5) NOT NULL DEFAULT 100,
    grademin NUMERIC(10,5) NOT NULL DEFAULT 0,
    scaleid BIGINT,
    outcomeid BIGINT,
    gradepass NUMERIC(10,5) NOT NULL DEFAULT 0,
    multfactor NUMERIC(10,5) NOT NULL DEFAULT 1.0,
    plusfactor NUMERIC(10,5) NOT NULL DEFAULT 0,
    aggregationcoef NUMERIC(10,5) NOT NULL DEFAULT 0,
    aggregationcoef2 NUMERIC(10,5) NOT NULL DEFAULT 0,
    sortorder BIGINT NOT NULL DEFAULT 0,
    display BIGINT NOT NULL DEFAULT 0,
    decimals SMALLINT,
    hidden BIGINT NOT NULL DEFAULT 0,
    locked BIGINT NOT NULL DEFAULT 0,
    locktime BIGINT NOT NULL DEFAULT 0,
    needsupdate BIGINT NOT NULL DEFAULT 0,
    weightoverride SMALLINT NOT NULL DEFAULT 0,
    timecreated BIGINT,
    timemodified BIGINT,
CONSTRAINT mdl_graditem_id_pk PRIMARY KEY (id)
);
COMMENT ON TABLE mdl_grade_items IS 'This table keeps information about gradeable items (ie columns). If an activity (eg an assignment or quiz) has multiple grade_items associated with it (eg several outcomes or numerical grades), then there will be a corresponding multiple number of ro';
CREATE INDEX mdl_graditem_locloc_ix ON mdl_grade_items (locked, locktime);
CREATE INDEX mdl_graditem_itenee_ix ON mdl_grade_items (itemtype, needsupdate);
CREATE INDEX mdl_graditem_gra_ix ON mdl_grade_items (gradetype);
CREATE INDEX mdl_graditem_idncou_ix ON mdl_grade_items (idnumber, courseid);
CREATE INDEX mdl_graditem_iteiteitecou_ix ON mdl_grade_items (itemtype, itemmodule, iteminstance, courseid);
CREATE INDEX mdl_graditem_cou_ix ON mdl_grade_items (courseid);
CREATE INDEX mdl_graditem_cat_ix ON mdl_grade_items (categoryid);
CREATE INDEX mdl_graditem_sca_ix ON mdl_grade_items (scaleid);
CREATE INDEX mdl_graditem_out_ix ON mdl_grade_items (outcomeid);

CREATE TABLE mdl_grade_grades (
    id BIGSERIAL,
    itemid BIGINT NOT NULL,
    userid BIGINT NOT NULL,
    rawgrade NUMERIC(10,5),
    rawgrademax NUMERIC(10,5) NOT NULL DEFAULT 100,
    rawgrademin NUMERIC(10,5) NOT NULL DEFAULT 0,
    rawscaleid BIGINT,
    usermodified BIGINT,
    finalgrade NUMERIC(10,5),
    hidden BIGINT NOT NULL DEFAULT 0,
    locked BIGINT NOT NULL DEFAULT 0,
    locktime BIGINT NOT NULL DEFAULT 0,
    exported BIGINT NOT NULL DEFAULT 0,
    overridden BIGINT NOT NULL DEFAULT 0,
    excluded BIGINT NOT NULL DEFAULT 0,
    feedback TEXT,
    feedbackformat BIGINT NOT NULL DEFAULT 0,
    information TEXT,
    informationformat BIGINT NOT NULL DEFAULT 0,
    timecreated BIGINT,
    timemodified BIGINT,
    aggregationstatus VARCHAR(10) NOT NULL DEFAULT 'unknown',
    aggregationweight NUMERIC(10,5),
CONSTRAINT mdl_gradgrad_id_pk PRIMARY KEY (id)
);
COMMENT ON TABLE mdl_grade_grades IS 'grade_grades  This table keeps individual grades for each user and each item, exactly as imported or submitted by modules. The rawgrademax/min and rawscaleid are stored here to record the values at the time the grade was stored, because teachers migh';
CREATE INDEX mdl_gradgrad_locloc_ix ON mdl_grade_grades (locked, locktime);
CREATE INDEX mdl_gradgrad_ite_ix ON mdl_grade_grades (itemid);
CREATE INDEX mdl_gradgrad_use_ix ON mdl_grade_grades (userid);
CREATE INDEX mdl_gradgrad_raw_ix ON mdl_grade_grades (rawscaleid);
CREATE INDEX mdl_gradgrad_use2_ix ON mdl_grade_grades (usermodified);
CREATE UNIQUE INDEX mdl_gradgrad_useite_uix ON mdl_grade_grades (userid, itemid);

CREATE TABLE mdl_groups (
    id BIGSERIAL,
    courseid BIGINT NOT NULL,
    idnumber VARCHAR(100) NOT NULL DEFAULT '',
    name VARCHAR(254) NOT NULL DEFAULT '',
    description TEXT,
    descriptionformat SMALLINT NOT NULL DEFAULT 0,
    enrolmentkey VARCHAR(50),
    picture BIGINT NOT NULL DEFAULT 0,
    visibility SMALLINT NOT NULL DEFAULT 0,
    participation SMALLINT NOT NULL DEFAULT 1,
    timecreated BIGINT NOT NULL DEFAULT 0,
    timemodified BIGINT NOT NULL DEFAULT 0,
CONSTRAINT mdl_grou_id_pk PRIMARY KEY (id)
);
COMMENT ON TABLE mdl_groups IS 'Each record represents a group.';
CREATE INDEX mdl_grou_idn_ix ON mdl_groups (idnumber);
CREATE INDEX mdl_grou_cou_ix ON mdl_groups (courseid);

CREATE TABLE mdl_groups_members (
    id BIGSERIAL,
    groupid BIGINT NOT NULL DEFAULT 0,
    userid BIGINT NOT NULL DEFAULT 0,
    timeadded BIGINT NOT NULL DEFAULT 0,
    component VARCHAR(100) NOT NULL DEFAULT '',
    itemid BIGINT NOT NULL DEFAULT 0,
CONSTRAINT mdl_groumemb_id_pk PRIMARY KEY (id)
);
COMMENT ON TABLE mdl_groups_members IS 'Link a user to a group.';
CREATE INDEX mdl_groumemb_gro_ix ON mdl_groups_members (groupid);
CREATE INDEX mdl_groumemb_use_ix ON mdl_groups_members (userid);
CREATE UNIQUE INDEX mdl_groumemb_usegro_uix ON mdl_groups_members (userid, groupid);

-- The rows of a fresh install that cohort-sync relies on, with the ids Moodle gives them.
-- Fixed timestamps (2024-10-07) keep table checksums stable between runs. Each sequence then
-- restarts past its rows, as Moodle's own getResetSequenceSQL() does.

INSERT INTO mdl_config (id, name, value) VALUES
    (1, 'mnet_localhost_id', '1'),
    (2, 'siteguest', '1'),
    (3, 'siteadmins', '2'),
    (4, 'enrol_plugins_enabled', 'manual,guest,self,cohort'),
    (5, 'version', '2024100700.00'),
    (6, 'release', '4.5 (Build: 20241007)'),
    (7, 'branch', '405'),
    (8, 'lang', 'en'),
    (9, 'allowcohortthemes', '0');
ALTER SEQUENCE mdl_config_id_seq RESTART WITH 10;

INSERT INTO mdl_config_plugins (id, plugin, name, value) VALUES
    (1, 'enrol_cohort', 'version', '2024100700'),
    (2, 'enrol_cohort', 'roleid', '5'),
    (3, 'enrol_cohort', 'unenrolaction', '0');
ALTER SEQUENCE mdl_config_plugins_id_seq RESTART WITH 4;

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
