#include "review_words.hpp"

#include "cohort_sync/academic_year.hpp"

#include <array>
#include <cmath>

namespace cohort_sync {
namespace {

struct Translation {
    Word word;
    std::string_view en;
    std::string_view fr;
};

// The narrow no-break space French puts between thousands and before "%".
constexpr std::string_view k_thin_space = "\u202F";

constexpr auto k_words = std::to_array<Translation>({
    {Word::page_title, "cohort-sync: plan {}", "cohort-sync : plan {}"},
    {Word::heading, "Tonight's cohort changes, for review", "Changements de cohortes de la nuit, à valider"},
    {Word::run_of, "{} — run {}, {}", "{} — exécution {}, {}"},
    {Word::origin_dry_run, "Made by a dry run: nothing has been changed in Moodle.",
     "Produit par une simulation (--dry-run) : rien n'a été modifié dans Moodle."},
    {Word::origin_plan_file,
     "Made from the saved plan '{}'. Once reviewed, it is applied with 'cohort-sync apply-plan {}'.",
     "Produit à partir du plan enregistré « {} ». Une fois validé, il s'applique par « cohort-sync "
     "apply-plan {} »."},
    {Word::origin_run, "Outcome of the run: {}.", "Issue de l'exécution : {}."},
    {Word::verdict_refused,
     "Refused: {} safety guard(s) tripped, so a real run changes nothing in Moodle. If these changes are "
     "right, an administrator runs once with --force.",
     "Refusé : {} garde-fou(s) déclenché(s), une vraie exécution ne modifie donc rien dans Moodle. Si ces "
     "changements sont justes, un administrateur relance une fois avec --force."},
    {Word::verdict_forced, "{} safety guard(s) tripped, overridden by --force.",
     "{} garde-fou(s) déclenché(s), outrepassé(s) par --force."},
    {Word::verdict_accepted, "Every safety guard accepts this plan.",
     "Tous les garde-fous acceptent ce plan."},
    {Word::verdict_no_plan, "No plan: the run stopped before planning.",
     "Pas de plan : l'exécution s'est arrêtée avant."},
    {Word::tile_added, "members added", "membres ajoutés"},
    {Word::tile_removed, "members removed", "membres retirés"},
    {Word::tile_created, "new cohorts", "nouvelles cohortes"},
    {Word::tile_renamed, "cohorts renamed", "cohortes renommées"},
    {Word::tile_deferred, "removals deferred", "retraits différés"},
    {Word::tile_held, "removals held back on doubt", "retraits retenus par le doute"},
    {Word::tile_accounts, "Moodle accounts to create", "comptes Moodle à créer"},
    {Word::tile_enrolments_removed, "course enrolments removed", "inscriptions aux cours retirées"},
    {Word::tile_enrolments_suspended, "course enrolments suspended", "inscriptions aux cours suspendues"},
    {Word::tile_graded, "students who would lose grades", "étudiants qui perdraient des notes"},
    {Word::lists_cut,
     "This plan is large: each list below shows its first {} student(s), {} of {} in all. "
     "Add --html-full to list every one.",
     "Ce plan est grand : chaque liste ci-dessous montre ses {} premier(s) étudiant(s), {} sur {} en "
     "tout. Ajoutez --html-full pour les lister tous."},
    {Word::js_off, "Sorting and search need JavaScript; every list is here without it.",
     "Le tri et la recherche demandent JavaScript ; sans lui, toutes les listes sont là."},
    {Word::nav_run, "Run", "Exécution"},
    {Word::nav_guards, "Guards", "Garde-fous"},
    {Word::nav_held_back, "Held back", "Retenu"},
    {Word::nav_cohorts, "Cohorts", "Cohortes"},
    {Word::nav_courses, "Courses", "Cours"},
    {Word::nav_students, "Students without account", "Étudiants sans compte"},
    {Word::nav_issues, "Issues", "Anomalies"},
    {Word::run_heading, "The run", "L'exécution"},
    {Word::site_configuration, "Configuration", "Configuration"},
    {Word::site_tables, "Moodle tables", "Tables de Moodle"},
    {Word::site_component, "Cohorts managed (component)", "Cohortes gérées (component)"},
    {Word::site_rule, "Membership rule", "Règle d'appartenance"},
    {Word::site_plan_file, "Plan file", "Fichier de plan"},
    {Word::run_id, "Run", "Exécution"},
    {Word::run_started, "Started", "Début"},
    {Word::run_outcome, "Outcome", "Issue"},
    {Word::run_forced, "Started with --force", "Lancée avec --force"},
    {Word::yes, "yes", "oui"},
    {Word::no, "no", "non"},
    {Word::sources_caption, "What the sources gave", "Ce que les sources ont donné"},
    {Word::source_column, "source", "source"},
    {Word::now_column, "this run", "cette exécution"},
    {Word::last_column, "last successful run", "dernière exécution réussie"},
    {Word::change_column, "change", "évolution"},
    {Word::source_directory, "directory entries (LDAP {})", "entrées de l'annuaire (LDAP {})"},
    {Word::source_export, "active inscriptions ({})", "inscriptions actives ({})"},
    {Word::source_students, "students placed in a cohort", "étudiants placés dans une cohorte"},
    {Word::source_pages, "LDAP pages read", "pages LDAP lues"},
    {Word::unknown, "unknown", "inconnu"},
    {Word::no_previous_run, "none yet", "aucune encore"},
    {Word::cross_check,
     "Cross-check: {} student(s) in both sources; {} étape(s) only in the inscriptions, {} only in the "
     "directory.",
     "Contrôle croisé : {} étudiant(s) dans les deux sources ; {} étape(s) seulement dans les inscriptions, "
     "{} "
     "seulement dans l'annuaire."},
    {Word::guards_heading, "Safety guards", "Garde-fous"},
    {Word::guards_caption, "Every guard evaluated, tripped ones first",
     "Chaque garde-fou évalué, les déclenchés d'abord"},
    {Word::guard_column, "guard", "garde-fou"},
    {Word::verdict_column, "verdict", "verdict"},
    {Word::figures_column, "figures", "chiffres"},
    {Word::hint_column, "what to do", "que faire"},
    {Word::guard_tripped, "TRIPPED", "DÉCLENCHÉ"},
    {Word::guard_ok, "ok", "ok"},
    {Word::guards_none, "No guard was evaluated.", "Aucun garde-fou n'a été évalué."},
    {Word::guard_directory_empty, "The directory is not empty", "L'annuaire n'est pas vide"},
    {Word::guard_directory_min_size, "The directory is large enough", "L'annuaire est assez grand"},
    {Word::guard_directory_shrink, "The directory has not shrunk much since the last run",
     "L'annuaire n'a pas beaucoup diminué depuis la dernière exécution"},
    {Word::guard_export_empty, "The export is not empty", "L'export n'est pas vide"},
    {Word::guard_export_min_size, "The export is large enough", "L'export est assez grand"},
    {Word::guard_export_shrink, "The export has not shrunk much since the last run",
     "L'export n'a pas beaucoup diminué depuis la dernière exécution"},
    {Word::guard_etape_shrink, "No étape has shrunk too much", "Aucune étape n'a trop diminué"},
    {Word::guard_max_removals, "Not too many removals in one run", "Pas trop de retraits en une exécution"},
    {Word::guard_max_cohort_removal_ratio, "No cohort loses too large a share of its members",
     "Aucune cohorte ne perd une trop grande part de ses membres"},
    {Word::guard_max_total_removal_ratio, "The removals are a small share of all members",
     "Les retraits sont une petite part de tous les membres"},
    {Word::guard_max_accounts_created, "Not too many Moodle accounts created",
     "Pas trop de comptes Moodle créés"},
    {Word::guard_provisioning_auth, "New Moodle accounts can log in (their authentication plugin is enabled)",
     "Les nouveaux comptes Moodle peuvent se connecter (leur méthode d'authentification est activée)"},
    {Word::figures_in_english, "The figures are cohort-sync's own, in English.",
     "Les chiffres sont ceux de cohort-sync, en anglais."},
    {Word::held_back_heading, "Held back, and why", "Retenu, et pourquoi"},
    {Word::held_back_intro, "What this plan does not do, on doubt.",
     "Ce que ce plan ne fait pas, dans le doute."},
    {Word::held_back_none, "Nothing is held back.", "Rien n'est retenu."},
    {Word::what_column, "what", "quoi"},
    {Word::why_column, "why", "pourquoi"},
    {Word::held_whole_plan, "the whole plan", "tout le plan"},
    {Word::held_guard_tripped, "guard {}: {}", "garde-fou {} : {}"},
    {Word::held_deferred, "{} removal(s) in {} cohort(s)", "{} retrait(s) dans {} cohorte(s)"},
    {Word::held_deferred_why,
     "absent from the sources, but kept until absent for moodle.grace_runs runs in a row (listed under "
     "each cohort)",
     "absents des sources, mais gardés jusqu'à moodle.grace_runs absences de suite (listés sous chaque "
     "cohorte)"},
    {Word::held_doubt, "{} removal(s) in {} cohort(s), on doubt",
     "{} retrait(s) dans {} cohorte(s), par doute"},
    {Word::held_doubt_why,
     "{} record(s) the sources left out may concern these students (the first: {}): their removals wait for "
     "a "
     "clean night; fix the source",
     "{} enregistrement(s) que les sources ont écarté(s) peuvent concerner ces étudiants (le premier : {}) : "
     "leurs retraits attendent une nuit propre ; réparez la source"},
    {Word::held_left_alone_why,
     "nobody of this étape is left in the sources; the cohort is left as it is "
     "(moodle.empty_vanished_cohorts "
     "is off)",
     "plus personne de cette étape dans les sources ; la cohorte est laissée telle quelle "
     "(moodle.empty_vanished_cohorts est désactivé)"},
    {Word::held_unplaced, "{} student membership(s)", "{} appartenance(s) d'étudiants"},
    {Word::held_unplaced_why, "no usable Moodle account: {} (listed below)",
     "pas de compte Moodle utilisable : {} (liste plus bas)"},
    {Word::disagreements_caption,
     "Cross-check: students one source places in an étape and the other does not",
     "Contrôle croisé : étudiants qu'une source place dans une étape et l'autre non"},
    {Word::only_in_column, "only in", "seulement dans"},
    {Word::only_in_export, "the inscriptions", "les inscriptions"},
    {Word::only_in_directory, "the directory", "l'annuaire"},
    {Word::cohorts_heading, "Cohorts", "Cohortes"},
    {Word::cohorts_intro, "{} cohort(s) change. Open one to see its students and why.",
     "{} cohorte(s) changent. Ouvrez-en une pour voir ses étudiants, et pourquoi."},
    {Word::cohorts_none, "No cohort changes.", "Aucune cohorte ne change."},
    {Word::chart_cohorts, "The cohorts that change most", "Les cohortes qui changent le plus"},
    {Word::search_label, "Search", "Rechercher"},
    {Word::search_placeholder, "login, student number or étape", "identifiant, n° d'étudiant ou étape"},
    {Word::search_matches, "{} line(s) match", "{} ligne(s) correspondent"},
    {Word::sort_by, "Sort by:", "Trier par :"},
    {Word::sort_removes, "removals", "retraits"},
    {Word::sort_adds, "additions", "ajouts"},
    {Word::sort_size, "size", "taille"},
    {Word::sort_name, "name", "nom"},
    {Word::badge_new, "new", "nouvelle"},
    {Word::kind_etape, "étape", "étape"},
    {Word::kind_element, "element", "élément"},
    {Word::kind_group, "group", "groupe"},
    {Word::cohorts_by_kind, "{}: +{} \u2212{} in {} cohort(s)", "{} : +{} \u2212{} dans {} cohorte(s)"},
    {Word::renamed_from, "renamed from '{}'", "renommée, anciennement « {} »"},
    {Word::idnumber_restored, "idnumber restored: it was changed in Moodle to '{}'",
     "identifiant rétabli : il avait été changé dans Moodle en « {} »"},
    {Word::recreated, "created again: cohort id {} was deleted in Moodle",
     "recréée : la cohorte n° {} a été supprimée dans Moodle"},
    {Word::cohort_sizes, "{} → {} members", "{} → {} membres"},
    {Word::vanished_etape, "(étape gone from the sources)", "(étape disparue des sources)"},
    {Word::members_removed, "Removed ({})", "Retirés ({})"},
    {Word::members_added, "Added ({})", "Ajoutés ({})"},
    {Word::members_deferred, "Kept for now by the grace period ({})",
     "Gardés pour l'instant par le délai de grâce ({})"},
    {Word::members_held, "Held back on doubt ({})", "Retenus par le doute ({})"},
    {Word::login_column, "login", "identifiant"},
    {Word::number_column, "student number", "numéro d'étudiant"},
    {Word::more_not_listed, "… and {} more, not listed (--html-full lists them).",
     "… et {} autre(s), non listé(s) (--html-full les liste)."},
    {Word::why_source_line, "{}, line {}", "{}, ligne {}"},
    {Word::why_source_row, "{}, row {}", "{}, ligne {}"},
    {Word::why_directory, "directory: {}", "annuaire : {}"},
    {Word::why_new_account, "no Moodle account yet: this run creates it",
     "pas encore de compte Moodle : "
     "cette exécution le crée"},
    {Word::why_in_sources, "in the sources for {}", "dans les sources pour {}"},
    {Word::why_gone, "the sources no longer place this student in {}",
     "les sources ne placent plus cet étudiant en {}"},
    {Word::why_changes_etape, "changes étape: joins {} tonight", "change d'étape : rejoint {} cette nuit"},
    {Word::why_leaves_etape, "changes étape: leaves {} tonight", "change d'étape : quitte {} cette nuit"},
    {Word::why_gone_vanished, "nobody is left in this cohort's étape",
     "plus personne dans l'étape de cette cohorte"},
    {Word::why_only_directory, "still in the directory ({}), but no active inscription any more",
     "toujours dans l'annuaire ({}), mais plus d'inscription active"},
    {Word::why_only_export, "still an active inscription, but the directory no longer gives this étape ({})",
     "toujours une inscription active, mais l'annuaire ne donne plus cette étape ({})"},
    {Word::why_deferred, "absent from the sources; kept for now by the grace period",
     "absent des sources ; gardé pour l'instant par le délai de grâce"},
    {Word::why_held, "absent, but a damaged record may concern this student: {}",
     "absent, mais un enregistrement abîmé peut concerner cet étudiant : {}"},
    {Word::courses_heading, "Courses", "Cours"},
    {Word::courses_unknown,
     "Not in a plan file: a dry run computes what the plan does to courses (cohort-sync --dry-run --format "
     "html).",
     "Absent d'un fichier de plan : une simulation calcule l'effet du plan sur les cours (cohort-sync "
     "--dry-run --format html)."},
    {Word::courses_disabled,
     "The Cohort sync enrolment method is disabled in Moodle: no course follows the cohorts until it is "
     "enabled.",
     "La méthode d'inscription Synchronisation des cohortes est désactivée dans Moodle : aucun cours ne "
     "suit les cohortes tant qu'elle ne l'est pas."},
    {Word::courses_summary_removed, "{} course enrolment(s) added and {} removed, in {} course(s).",
     "{} inscription(s) aux cours ajoutée(s) et {} retirée(s), dans {} cours."},
    {Word::courses_summary_suspended, "{} course enrolment(s) added and {} suspended, in {} course(s).",
     "{} inscription(s) aux cours ajoutée(s) et {} suspendue(s), dans {} cours."},
    {Word::courses_grades_warning,
     "{} student(s) to be removed have grades in a course they would leave. With the unenrol action "
     "'unenrol', Moodle deletes their grades with their last enrolment in the course.",
     "{} étudiant(s) à retirer ont des notes dans un cours qu'ils quitteraient. Avec l'action de "
     "désinscription « désinscrire », Moodle supprime leurs notes avec leur dernière inscription au cours."},
    {Word::courses_action, "Moodle's Cohort sync, when a student leaves a cohort: {}.",
     "Synchronisation des cohortes de Moodle, quand un étudiant quitte une cohorte : {}."},
    {Word::action_unenrol, "unenrol (grades are deleted with the last enrolment in a course)",
     "désinscrire (les notes sont supprimées avec la dernière inscription au cours)"},
    {Word::action_keep, "keep (treated as suspend and remove the roles)",
     "conserver (traité comme suspendre et retirer les rôles)"},
    {Word::action_suspend, "suspend the enrolment, keep the roles",
     "suspendre l'inscription, garder les rôles"},
    {Word::action_suspend_no_roles, "suspend the enrolment and remove the roles",
     "suspendre l'inscription et retirer les rôles"},
    {Word::chart_courses, "The courses that change most", "Les cours qui changent le plus"},
    {Word::courses_caption, "Every course touched", "Chaque cours touché"},
    {Word::course_id_column, "id", "id"},
    {Word::course_column, "course", "cours"},
    {Word::added_column, "enrolments added", "inscriptions ajoutées"},
    {Word::removed_column, "enrolments removed", "inscriptions retirées"},
    {Word::suspended_column, "enrolments suspended", "inscriptions suspendues"},
    {Word::graded_column, "of them with grades", "dont avec des notes"},
    {Word::courses_none, "No course is touched.", "Aucun cours n'est touché."},
    {Word::groups_caption, "Course groups filled by \"Add to group\"",
     "Groupes de cours remplis par « Ajouter au groupe »"},
    {Word::groups_summary,
     "Course groups: {} student(s) join and {} leave {} group(s), at Moodle's next cohort sync.",
     "Groupes de cours : {} étudiant(s) y entrent et {} en sortent, dans {} groupe(s), à la prochaine "
     "synchronisation des cohortes de Moodle."},
    {Word::groups_not_read,
     "Course groups were not previewed: cohort-sync's database role may not read mdl_groups and "
     "mdl_groups_members.",
     "Les groupes de cours n'ont pas été prévus : le rôle de cohort-sync dans la base ne peut pas lire "
     "mdl_groups et mdl_groups_members."},
    {Word::group_column, "group", "groupe"},
    {Word::joining_column, "joining", "entrent"},
    {Word::leaving_column, "leaving", "sortent"},
    {Word::students_heading, "Students without a usable account", "Étudiants sans compte utilisable"},
    {Word::unplaced_caption, "Who belongs in a cohort but cannot be placed in it",
     "Qui relève d'une cohorte mais ne peut pas y être placé"},
    {Word::etape_column, "étape", "étape"},
    {Word::reason_column, "reason", "raison"},
    {Word::reason_no_account, "no Moodle account", "pas de compte Moodle"},
    {Word::reason_deleted_account, "the Moodle account is deleted", "le compte Moodle est supprimé"},
    {Word::reason_other_key_only, "an account matches only by the other key",
     "un compte ne correspond que par l'autre clé"},
    {Word::reason_several_accounts, "several accounts share the student number",
     "plusieurs comptes partagent le numéro d'étudiant"},
    {Word::accounts_caption, "Moodle accounts this run creates", "Comptes Moodle que cette exécution crée"},
    {Word::first_name_column, "first name", "prénom"},
    {Word::last_name_column, "last name", "nom"},
    {Word::auth_column, "authentication", "authentification"},
    {Word::students_none, "Every student has a Moodle account.", "Chaque étudiant a un compte Moodle."},
    {Word::issues_heading, "Issues in the sources and the plan", "Anomalies des sources et du plan"},
    {Word::issues_caption, "Errors first", "Les erreurs d'abord"},
    {Word::issues_none, "No issue.", "Aucune anomalie."},
    {Word::severity_column, "severity", "gravité"},
    {Word::where_column, "where", "où"},
    {Word::severity_error, "error", "erreur"},
    {Word::severity_warning, "warning", "avertissement"},
    {Word::footer,
     "Made by cohort-sync. This page names students: keep it among the people who decide, and delete it "
     "once the plan is decided.",
     "Produit par cohort-sync. Cette page nomme des étudiants : gardez-la entre les personnes qui "
     "décident, et supprimez-la une fois le plan décidé."},
});

static_assert(k_words.size() == static_cast<std::size_t>(Word::count_), "one translation per word");

constexpr bool in_order() {
    for (std::size_t i = 0; i < k_words.size(); ++i) {
        if (k_words[i].word != static_cast<Word>(i)) {
            return false;
        }
    }
    return true;
}
static_assert(in_order(), "k_words lists the words in the order of the enum");

} // namespace

std::string_view Words::operator()(Word word) const {
    const auto& translation = k_words[static_cast<std::size_t>(word)];
    return m_language == Language::fr ? translation.fr : translation.en;
}

std::string Words::count(long long value) const {
    const std::string digits = std::to_string(value < 0 ? -value : value);
    const std::string_view separator = m_language == Language::fr ? k_thin_space : ",";
    std::string out = value < 0 ? "-" : "";
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) {
            out += separator;
        }
        out += digits[i];
    }
    return out;
}

std::string Words::percent(double ratio) const {
    auto text = fmt::format("{:.1f}", std::abs(ratio) * 100.0);
    if (m_language == Language::fr) {
        text[text.find('.')] = ',';
        return text + std::string(k_thin_space) + "%";
    }
    return text + " %";
}

std::string Words::utc_time(long long unix_seconds) const {
    const auto date = civil_date_from_unix(unix_seconds);
    const long long seconds_of_day = ((unix_seconds % 86400) + 86400) % 86400;
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02} UTC", date.year, date.month, date.day,
                       seconds_of_day / 3600, seconds_of_day % 3600 / 60);
}

} // namespace cohort_sync
