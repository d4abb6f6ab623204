"""The warehouse plugin's GraphQL: types, queries, mutations."""
