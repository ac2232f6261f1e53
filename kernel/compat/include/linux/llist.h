/* SPDX-License-Identifier: MIT */
/*
 * llist.h - lock-less singly linked lists (single-threaded here). A node not
 * on any list points to itself, as init_llist_node() documents.
 */
#ifndef GPUVM_COMPAT_LINUX_LLIST_H
#define GPUVM_COMPAT_LINUX_LLIST_H

#include <linux/kernel.h>
#include <linux/types.h>

struct llist_node {
	struct llist_node *next;
};

struct llist_head {
	struct llist_node *first;
};

#define LLIST_HEAD_INIT(name)	{ NULL }

static inline void init_llist_head(struct llist_head *list)
{
	list->first = NULL;
}

static inline void init_llist_node(struct llist_node *node)
{
	node->next = node;
}

static inline bool llist_on_list(const struct llist_node *node)
{
	return node->next != node;
}

static inline bool llist_empty(const struct llist_head *head)
{
	return head->first == NULL;
}

/* llist_add() - push @node; true when the list was empty before. */
static inline bool llist_add(struct llist_node *node, struct llist_head *head)
{
	bool was_empty = head->first == NULL;

	node->next = head->first;
	head->first = node;
	return was_empty;
}

/* llist_del_all() - take the whole list (newest first). */
static inline struct llist_node *llist_del_all(struct llist_head *head)
{
	struct llist_node *first = head->first;

	head->first = NULL;
	return first;
}

#define llist_entry(ptr, type, member)	container_of(ptr, type, member)

/* Walks with a hidden cursor, so no entry is computed from a NULL node. */
#define llist_for_each_entry(pos, node, member)				\
	for (struct llist_node *__llist_n = (node);			\
	     __llist_n &&						\
	     ((pos) = llist_entry(__llist_n, typeof(*(pos)), member), 1); \
	     __llist_n = __llist_n->next)

#endif
