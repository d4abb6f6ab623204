"""The club's GraphQL part: types, queries, mutations (names prefixed ``BakeryClub``)."""
