#include "names.hpp"

#include <array>

namespace cohort_sync::generator {

namespace {

constexpr std::array k_given_names = std::to_array<std::string_view>({
    "Adam",          "Adèle",         "Adrien",    "Agathe",   "Aïcha",        "Alexandre", "Alexis",
    "Alice",         "Aline",         "Amandine",  "Amélie",   "Anaïs",        "André",     "Anne-Sophie",
    "Antoine",       "Apolline",      "Arthur",    "Aurélie",  "Aurélien",     "Axel",      "Baptiste",
    "Bastien",       "Béatrice",      "Benjamin",  "Benoît",   "Bérénice",     "Bertrand",  "Camille",
    "Capucine",      "Carla",         "Caroline",  "Célia",    "Céline",       "Charles",   "Charlotte",
    "Chloé",         "Christophe",    "Claire",    "Clara",    "Clément",      "Clémence",  "Coralie",
    "Corentin",      "Cyril",         "Damien",    "Daniel",   "David",        "Delphine",  "Denis",
    "Diane",         "Dorian",        "Dylan",     "Éléonore", "Élise",        "Élodie",    "Éloïse",
    "Émile",         "Émilie",        "Emma",      "Enzo",     "Éric",         "Estelle",   "Étienne",
    "Eva",           "Fabien",        "Fanny",     "Fatima",   "Flavie",       "Florian",   "Florence",
    "François",      "Françoise",     "Gabriel",   "Gaëlle",   "Gaëtan",       "Grégoire",  "Guillaume",
    "Hélène",        "Hugo",          "Inès",      "Irène",    "Isabelle",     "Jade",      "Jean",
    "Jean-Baptiste", "Jean-François", "Jérémy",    "Jérôme",   "Joël",         "Johanna",   "Jonathan",
    "Joséphine",     "Jules",         "Julie",     "Julien",   "Juliette",     "Justine",   "Karim",
    "Kevin",         "Killian",       "Laëtitia",  "Laura",    "Laurent",      "Léa",       "Léna",
    "Léo",           "Léon",          "Léonie",    "Lina",     "Lisa",         "Lou",       "Louis",
    "Louise",        "Luc",           "Lucas",     "Lucie",    "Lucile",       "Maël",      "Maëlle",
    "Manon",         "Marc",          "Margaux",   "Marie",    "Marie-Hélène", "Marine",    "Marius",
    "Martin",        "Mathilde",      "Mathis",    "Matthieu", "Maxime",       "Mélanie",   "Mélissa",
    "Michaël",       "Mickaël",       "Nathan",    "Nicolas",  "Noé",          "Noémie",    "Noël",
    "Océane",        "Olivier",       "Pauline",   "Perrine",  "Philippe",     "Pierre",    "Quentin",
    "Rachel",        "Raphaël",       "Raphaëlle", "Rayan",    "Rémi",         "Romain",    "Rose",
    "Ryan",          "Sacha",         "Salomé",    "Samuel",   "Sarah",        "Sébastien", "Simon",
    "Solène",        "Sophie",        "Stéphane",  "Sylvain",  "Thaïs",        "Théo",      "Thibault",
    "Thomas",        "Timothée",      "Valentin",  "Valérie",  "Victor",       "Victoire",  "Vincent",
    "Yanis",         "Yasmine",       "Yann",      "Youssef",  "Zoé",          "Zoë",
});

constexpr std::array k_family_names = std::to_array<std::string_view>({
    "Martin",       "Bernard",    "Thomas",     "Petit",          "Robert",
    "Richard",      "Durand",     "Dubois",     "Moreau",         "Laurent",
    "Simon",        "Michel",     "Lefèvre",    "Leroy",          "Roux",
    "David",        "Bertrand",   "Morel",      "Fournier",       "Girard",
    "Bonnet",       "Dupont",     "Lambert",    "Fontaine",       "Rousseau",
    "Vincent",      "Muller",     "Müller",     "Lefebvre",       "Faure",
    "André",        "Mercier",    "Blanc",      "Guérin",         "Boyer",
    "Garnier",      "Chevalier",  "François",   "Legrand",        "Gauthier",
    "Garcia",       "Perrin",     "Robin",      "Clément",        "Morin",
    "Nicolas",      "Henry",      "Roussel",    "Mathieu",        "Gautier",
    "Masson",       "Marchand",   "Duval",      "Denis",          "Dumont",
    "Marie",        "Lemaire",    "Noël",       "Meyer",          "Dufour",
    "Meunier",      "Brun",       "Blanchard",  "Giraud",         "Joly",
    "Rivière",      "Lucas",      "Brunet",     "Gaillard",       "Barbier",
    "Arnaud",       "Martinez",   "Gérard",     "Roche",          "Renard",
    "Schmitt",      "Roy",        "Leroux",     "Colin",          "Vidal",
    "Caron",        "Picard",     "Roger",      "Fabre",          "Aubert",
    "Lemoine",      "Renaud",     "Dumas",      "Lacroix",        "Olivier",
    "Philippe",     "Bourgeois",  "Pierre",     "Benoît",         "Rey",
    "Leclerc",      "Payet",      "Rolland",    "Leclercq",       "Guillaume",
    "Lecomte",      "Lopez",      "Jean",       "Dupuy",          "Guillot",
    "Hubert",       "Berger",     "Carpentier", "Sanchez",        "Dupuis",
    "Moulin",       "Louis",      "Deschamps",  "Huet",           "Vasseur",
    "Perez",        "Boucher",    "Fleury",     "Royer",          "Klein",
    "Jacquet",      "Adam",       "Paris",      "Poirier",        "Marty",
    "Aubry",        "Guyot",      "Carré",      "Charles",        "Renault",
    "Charpentier",  "Ménard",     "Maillard",   "Baron",          "Bertin",
    "Bailly",       "Hervé",      "Schneider",  "Fernandez",      "Le Gall",
    "Collet",       "Léger",      "Bouvier",    "Julien",         "Prévost",
    "Millet",       "Perrot",     "Daniel",     "Le Roux",        "Cousin",
    "Germain",      "Breton",     "Besson",     "Langlois",       "Rémy",
    "Le Goff",      "Pelletier",  "Lévêque",    "Perrier",        "Leblanc",
    "Barré",        "Lebrun",     "Marchal",    "Weber",          "Mallet",
    "Hamon",        "Boulanger",  "Jacob",      "Monnier",        "Michaud",
    "Rodriguez",    "Guichard",   "Gillet",     "Étienne",        "Grondin",
    "Poulain",      "Tessier",    "Chevallier", "Collin",         "Chauvin",
    "Da Silva",     "Bouchet",    "Gay",        "Lemaître",       "Bénard",
    "Maréchal",     "Humbert",    "Reynaud",    "Antoine",        "Hoarau",
    "Perret",       "Barthélemy", "Cordier",    "Pichon",         "Lejeune",
    "Gilbert",      "Lamy",       "Delaunay",   "Pasquier",       "Carlier",
    "Laporte",      "Nguyen",     "Tran",       "Pham",           "Diallo",
    "Traoré",       "Camara",     "Diop",       "N'Diaye",        "Sow",
    "Benali",       "Haddad",     "Bensaïd",    "Bouzid",         "Chérif",
    "Mansouri",     "Belkacem",   "Ferreira",   "Pereira",        "Dos Santos",
    "De Sousa",     "Rodrigues",  "Fernandes",  "Gonçalves",      "Lopes",
    "Martins",      "Teixeira",   "D'Almeida",  "Çelik",          "Yılmaz",
    "Öztürk",       "Kowalski",   "Nowak",      "Leclère",        "Hébert",
    "Lebreton",     "Le Bihan",   "Le Floch",   "Le Corre",       "Guégan",
    "Quéré",        "Kerbrat",    "Tanguy",     "Le Moal",        "Jégou",
    "Daoudi",       "Lelièvre",   "Lecœur",     "Martin-Lefèvre", "De La Fontaine",
    "Saint-Martin",
});

} // namespace

std::span<const std::string_view> given_names() {
    return k_given_names;
}
std::span<const std::string_view> family_names() {
    return k_family_names;
}

} // namespace cohort_sync::generator
