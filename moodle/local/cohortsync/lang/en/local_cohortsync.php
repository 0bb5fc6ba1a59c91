<?php
// This file is part of local_cohortsync, the companion plugin of cohort-sync.
//
// It is free software: you can redistribute it and/or modify it under the terms of the GNU
// General Public License as published by the Free Software Foundation, either version 3 of the
// License, or (at your option) any later version, as Moodle itself.
//
// It is distributed in the hope that it will be useful, but WITHOUT ANY WARRANTY; without even
// the implied warranty of MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE. See the GNU
// General Public License for more details: <https://www.gnu.org/licenses/>.

/**
 * English strings of local_cohortsync.
 *
 * @package    local_cohortsync
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$string['pluginname'] = 'cohort-sync (APOGÉE and LDAP)';
$string['privacy:metadata'] = 'The cohort-sync companion plugin stores no personal data: it only names the source of the cohorts that cohort-sync maintains from the LDAP directory and the APOGÉE export.';
