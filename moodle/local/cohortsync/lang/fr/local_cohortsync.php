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
 * Chaînes françaises de local_cohortsync.
 *
 * @package    local_cohortsync
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$string['pluginname'] = 'cohort-sync (APOGÉE et LDAP)';
$string['privacy:metadata'] = 'Le plugin compagnon de cohort-sync ne stocke aucune donnée personnelle : il nomme seulement la source des cohortes que cohort-sync tient à jour depuis l\'annuaire LDAP et l\'export APOGÉE.';
