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
 * Version of local_cohortsync: names the source of the cohorts cohort-sync maintains.
 *
 * cohort-sync marks its cohorts with component = 'local_cohortsync', and Moodle's cohort pages show
 * get_string('pluginname', component) for it: without this plugin they show "[[pluginname]]".
 * The plugin only provides that name. It has no tables, settings, tasks or code that writes.
 *
 * @package    local_cohortsync
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$plugin->component = 'local_cohortsync';
$plugin->version = 2026120100;
$plugin->requires = 2024100700; // Moodle 4.5 LTS.
$plugin->supported = [405, 503]; // Moodle 4.5 LTS to 5.3 LTS.
$plugin->maturity = MATURITY_STABLE;
$plugin->release = '1.0';
